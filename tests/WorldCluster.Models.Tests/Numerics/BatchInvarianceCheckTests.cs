using WorldCluster.Models.Numerics;
using WorldCluster.Models.Packages;
using WorldCluster.Models.Reference;
using WorldCluster.Models.Tests.Packages;

namespace WorldCluster.Models.Tests.Numerics;

public sealed class BatchInvarianceCheckTests : IDisposable
{
    private static readonly int[] Sizes = [1, 2, 3, 4, 8, 16];
    private readonly PackageFolders _folders = new();
    private readonly ModelArchitectures _architectures = PoisonTestModel.Register(new ModelArchitectures());

    [Fact]
    public void A_model_whose_rows_depend_on_the_batch_size_has_a_class_per_size_and_is_proposed_the_largest()
    {
        using var model = Load("batch-sized");

        var report = BatchInvarianceCheck.Run(model, Sizes, steps: 2, actionCount: PoisonTestModel.Poison);

        Assert.Equal(Sizes.Select(s => (IReadOnlyList<int>)[s]), report.Classes, new ListComparer());
        Assert.All(report.Runs, r => Assert.True(r.SameAtEveryPosition));
        Assert.Equal([16], report.ProposedBuckets);
        Assert.True(report.Invariant);
    }

    [Fact]
    public void A_model_whose_rows_depend_on_their_neighbours_gets_no_proposal()
    {
        using var model = Load("row-mixing");

        var report = BatchInvarianceCheck.Run(model, Sizes, steps: 2, actionCount: PoisonTestModel.Poison);

        Assert.Single(report.Runs, r => r.SameAtEveryPosition); // batch 1, alone with itself
        Assert.False(report.Invariant);
        Assert.Empty(report.ProposedBuckets);
    }

    [Fact]
    public void The_reference_world_is_one_class_and_needs_no_buckets()
    {
        using var model = new ReferenceWorld();

        var report = BatchInvarianceCheck.Run(model, Sizes, steps: 3);

        Assert.Single(report.Classes);
        Assert.Empty(report.ProposedBuckets);
        Assert.True(report.Invariant);
        Assert.Equal(1, report.LoneWorldCost);
    }

    [Fact]
    public void Buckets_come_from_the_largest_sizes_class_each_at_most_twice_the_last_and_never_position_dependent()
    {
        BatchSizeRun Run(int size, string print, bool same = true) => new(size, print, same, TimeSpan.FromMilliseconds(size));
        var runs = new[] { Run(1, "a"), Run(2, "b"), Run(3, "b"), Run(4, "c"), Run(5, "c", same: false), Run(6, "c"), Run(8, "c"), Run(12, "c"), Run(15, "c"), Run(16, "c"), Run(17, "c"), Run(31, "c"), Run(32, "c"), Run(64, "c") };

        var report = BatchInvarianceReport.From("m@1", 1, runs);

        Assert.Equal(3, report.Classes.Count);
        Assert.Equal([4, 8, 16, 32, 64], report.ProposedBuckets);
        Assert.Equal(4, report.LoneWorldCost);
    }

    [Fact]
    public void Bad_sizes_are_refused()
    {
        using var model = new ReferenceWorld();

        Assert.Throws<ArgumentException>(() => BatchInvarianceCheck.Run(model, [], 1));
        Assert.Throws<ArgumentException>(() => BatchInvarianceCheck.Run(model, [2, 2], 1));
        Assert.Throws<ArgumentException>(() => BatchInvarianceCheck.Run(model, [0], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchInvarianceCheck.Run(model, [1], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchInvarianceCheck.Run(model, [1], 1, actionCount: model.Manifest.ActionSpace.N + 1));
    }

    public void Dispose() => _folders.Dispose();

    private Contract.IWorldModel Load(string mode) =>
        ModelPackageLoader.Load(ModelPackageReader.Read(_folders.WritePoison(mode, "numerics-" + mode, weights: mode, batchInvariant: false)), _architectures);

    private sealed class ListComparer : IEqualityComparer<IReadOnlyList<int>>
    {
        public bool Equals(IReadOnlyList<int>? x, IReadOnlyList<int>? y) => x!.SequenceEqual(y!);

        public int GetHashCode(IReadOnlyList<int> obj) => obj.Count;
    }
}
