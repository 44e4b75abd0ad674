namespace WorldCluster.Models.Numerics;

/// <summary>The numeric classes of a model's batch sizes and the buckets that follow from them.</summary>
/// <param name="Model">The model's id.</param>
/// <param name="Steps">Ticks run per batch.</param>
/// <param name="Runs">Every size checked, ascending.</param>
/// <param name="Classes">Sizes with bit-identical results, each class ascending; classes ordered by their smallest size.</param>
/// <param name="ProposedBuckets">Buckets from one class; empty when every size agrees (the model needs none).</param>
/// <param name="Invariant">True when the proposal makes the model batch-invariant: one class, or buckets from one class, each the same at every position.</param>
public sealed record BatchInvarianceReport(
    string Model,
    int Steps,
    IReadOnlyList<BatchSizeRun> Runs,
    IReadOnlyList<IReadOnlyList<int>> Classes,
    IReadOnlyList<int> ProposedBuckets,
    bool Invariant)
{
    /// <summary>Groups <paramref name="runs"/> into classes and proposes buckets.</summary>
    /// <remarks>
    /// The proposal takes the class holding the largest size checked (large batches are where the batcher spends its
    /// time) and keeps, from its smallest member up, each member at most twice the previous bucket — so a padded batch
    /// wastes less than half its rows — and the largest member. Sizes whose result changes with the world's position
    /// in the batch are left out: no bucket can make them invariant.
    /// </remarks>
    public static BatchInvarianceReport From(string model, int steps, IReadOnlyList<BatchSizeRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var classes = runs.GroupBy(r => r.Fingerprint)
            .Select(g => (IReadOnlyList<int>)[.. g.Select(r => r.Size).Order()])
            .OrderBy(c => c[0])
            .ToArray();
        if (classes.Length == 1 && runs.All(r => r.SameAtEveryPosition))
        {
            return new BatchInvarianceReport(model, steps, runs, classes, [], true);
        }
        var largest = runs.MaxBy(r => r.Size)!;
        var members = runs.Where(r => r.Fingerprint == largest.Fingerprint && r.SameAtEveryPosition).Select(r => r.Size).Order().ToArray();
        var buckets = new List<int>();
        for (var i = 0; i < members.Length; i++)
        {
            var isLast = i == members.Length - 1;
            if (buckets.Count == 0 || isLast || members[i + 1] > 2 * buckets[^1])
            {
                buckets.Add(members[i]);
            }
        }
        return new BatchInvarianceReport(model, steps, runs, classes, buckets, buckets.Count > 0);
    }

    /// <summary>How much slower one lone world steps at the smallest proposed bucket than at batch 1 (1 without buckets).</summary>
    public double LoneWorldCost
    {
        get
        {
            if (ProposedBuckets.Count == 0 || Runs[0].Size != 1)
            {
                return 1;
            }
            var atBucket = Runs.First(r => r.Size == ProposedBuckets[0]).StepTime;
            return atBucket / Runs[0].StepTime;
        }
    }
}
