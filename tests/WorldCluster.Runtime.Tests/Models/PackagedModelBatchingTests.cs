using Microsoft.Extensions.Logging.Abstractions;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Packages;
using WorldCluster.Models.Tests.Packages;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Metrics;

namespace WorldCluster.Runtime.Tests.Models;

/// <summary>Packaged models stepped through the <see cref="StepBatcher"/>: batching keeps their bits, and a NaN fails only its world.</summary>
public sealed class PackagedModelBatchingTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly PackageFolders _folders = new();
    private readonly ModelArchitectures _architectures = PoisonTestModel.Register(new ModelArchitectures());

    public void Dispose() => _folders.Dispose();

    [Fact]
    public async Task Torchscript_worlds_step_to_the_same_bits_alone_and_in_a_batch()
    {
        using var model = ModelPackageLoader.Load(ModelPackageReader.Read(PackageFolders.Fixture), _architectures);
        const int Worlds = 5;
        using var alone = Start(model, maxBatch: 1);
        using var together = Start(model, maxBatch: Worlds);
        var first = await Task.WhenAll(Enumerable.Range(0, Worlds).Select(i => alone.InitAsync(new WorldSeed(40 + i, 1 + (i % 2)))));
        var a = first.Select(r => r.State).ToArray();
        var b = a;
        for (var tick = 0; tick < 4; tick++)
        {
            int[][] actions = [.. Enumerable.Range(0, Worlds).Select(i => new[] { (tick + i) % 5, (tick * 2 + i) % 5 })];
            var stepAlone = new ModelStepResult[Worlds];
            for (var i = 0; i < Worlds; i++)
            {
                stepAlone[i] = await alone.StepAsync(a[i], actions[i]).WaitAsync(Deadline);
            }
            var stepTogether = await Task.WhenAll(Enumerable.Range(0, Worlds).Select(i => together.StepAsync(b[i], actions[i]))).WaitAsync(Deadline);
            for (var i = 0; i < Worlds; i++)
            {
                Assert.Equal(stepAlone[i].Frame, stepTogether[i].Frame);
                Assert.Equal(stepAlone[i].State.Tensors.Select(t => t.Data), stepTogether[i].State.Tensors.Select(t => t.Data));
            }
            a = [.. stepAlone.Select(r => r.State)];
            b = [.. stepTogether.Select(r => r.State)];
        }
        // The balls moved: the test compared real steps, not a frozen world.
        Assert.NotEqual(first[0].State.Tensors[0].Data, a[0].Tensors[0].Data);
    }

    [Fact]
    public async Task A_nan_step_fails_only_its_world_and_leaves_its_neighbours_stepping()
    {
        using var model = ModelPackageLoader.Load(ModelPackageReader.Read(_folders.WritePoison("poison", "poison")), _architectures);
        using var batcher = Start(model, maxBatch: 2);
        var worlds = await Task.WhenAll(batcher.InitAsync(new WorldSeed(10, 1)), batcher.InitAsync(new WorldSeed(20, 1))).WaitAsync(Deadline);

        var poisoned = batcher.StepAsync(worlds[0].State, [PoisonTestModel.Poison]);
        var healthy = batcher.StepAsync(worlds[1].State, [1]);

        var e = await Assert.ThrowsAsync<ModelStepException>(() => poisoned.WaitAsync(Deadline));
        Assert.Contains("poison@1.0.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("'x' holds NaN or infinite values", e.Message, StringComparison.Ordinal);
        var next = await healthy.WaitAsync(Deadline);
        Assert.Equal(21f, BitConverter.ToSingle(next.State.Tensors[0].Data, 0));
    }

    [Theory]
    [InlineData("ok", true)]
    [InlineData("batch-sized", false)]
    public async Task A_world_poisoned_in_a_batch_fails_by_name_and_the_others_get_what_a_batch_without_it_gives(string weights, bool batchInvariant)
    {
        using var model = ModelPackageLoader.Load(
            ModelPackageReader.Read(_folders.WritePoison("poison", "poison", weights: weights, batchInvariant: batchInvariant)), _architectures);
        const int Worlds = 4;
        const int Poisoned = 2;
        var metrics = NewMetrics();
        using var mixed = Start(model, maxBatch: Worlds, metrics);
        using var clean = Start(model, maxBatch: Worlds - 1);
        var seeds = Enumerable.Range(0, Worlds).Select(i => new WorldSeed(10 * (i + 1), 1)).ToArray();
        var worlds = await Task.WhenAll(seeds.Select((s, i) => mixed.InitAsync(s, $"w{i}"))).WaitAsync(Deadline);

        var steps = Enumerable.Range(0, Worlds).Select(i => mixed.StepAsync(worlds[i].State, [i == Poisoned ? PoisonTestModel.Poison : 1], $"w{i}")).ToArray();
        var e = await Assert.ThrowsAsync<ModelStepException>(() => steps[Poisoned].WaitAsync(Deadline));
        var others = Enumerable.Range(0, Worlds).Where(i => i != Poisoned).ToArray();
        var got = await Task.WhenAll(others.Select(i => steps[i])).WaitAsync(Deadline);
        var expected = await Task.WhenAll(others.Select(i => clean.StepAsync(worlds[i].State, [1], $"w{i}"))).WaitAsync(Deadline);

        Assert.Equal($"w{Poisoned}", e.World);
        Assert.Contains($"'x' holds NaN or infinite values for world 'w{Poisoned}'", e.Message, StringComparison.Ordinal);
        for (var k = 0; k < others.Length; k++)
        {
            Assert.Equal(expected[k].Frame, got[k].Frame);
            Assert.Equal(expected[k].State.Tensors.Select(t => t.Data), got[k].State.Tensors.Select(t => t.Data));
        }
        // The batch-sized model saw the batch of three: the comparison is with a real batch, not with a world alone.
        Assert.Equal(batchInvariant ? 0f : Worlds - 1, BitConverter.ToSingle(expected[0].State.Tensors[0].Data, 4));
        Assert.Equal(1, metrics.WorldStepFailures.WithLabels("poison").Value);
    }

    private static WorldClusterMetrics NewMetrics() => new(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));

    private static StepBatcher Start(IWorldModel model, int maxBatch, WorldClusterMetrics? metrics = null)
    {
        metrics ??= NewMetrics();
        // A batch runs when it is full; the long delay only bounds a test that would otherwise hang.
        var options = new StepBatcherOptions { MaxBatchSize = maxBatch, MaxQueueDelay = TimeSpan.FromMinutes(1) };
        var batcher = new StepBatcher(model, options, TimeProvider.System, metrics, NullLogger.Instance);
        batcher.Start();
        return batcher;
    }
}
