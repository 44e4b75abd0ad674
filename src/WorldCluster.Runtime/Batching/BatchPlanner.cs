namespace WorldCluster.Runtime.Batching;

/// <summary>Splits a batch of requests into model calls whose sizes come from the model's batch buckets.</summary>
/// <remarks>
/// libtorch's CPU kernels pick numeric paths by batch size (../shared/NUMERICS.md); running a model only at its
/// bucket sizes keeps a world's results independent of how many other worlds happened to share its batch.
/// </remarks>
internal static class BatchPlanner
{
    /// <summary>Returns (offset, count, padded size) for each model call that serves <paramref name="count"/> requests.</summary>
    public static IEnumerable<(int Offset, int Count, int Size)> Plan(int count, IReadOnlyList<int> buckets)
    {
        if (buckets.Count == 0)
        {
            yield return (0, count, count);
            yield break;
        }
        var largest = buckets[^1];
        for (var offset = 0; offset < count; offset += largest)
        {
            var n = Math.Min(largest, count - offset);
            var size = buckets.First(b => b >= n);
            yield return (offset, n, size);
        }
    }
}
