namespace WorldCluster.Runtime.Batching;

/// <summary>Splits a batch of requests into model calls whose sizes come from the model's batch buckets.</summary>
/// <remarks>
/// libtorch's CPU kernels pick numeric paths by batch size (../shared/NUMERICS.md); running a model only at its
/// bucket sizes keeps a world's results independent of how many other worlds happened to share its batch.
/// </remarks>
internal static class BatchPlanner
{
    /// <summary>Returns (offset, count, padded size) for each model call that serves <paramref name="count"/> requests.</summary>
    /// <param name="count">Requests in the batch.</param>
    /// <param name="buckets">The model's batch buckets (none: any size).</param>
    /// <param name="maxPerCall">At most this many requests per call (a resident state budget's worth of worlds).</param>
    public static IEnumerable<(int Offset, int Count, int Size)> Plan(int count, IReadOnlyList<int> buckets, int maxPerCall = int.MaxValue)
    {
        if (buckets.Count == 0)
        {
            for (var offset = 0; offset < count; offset += maxPerCall)
            {
                var n = Math.Min(maxPerCall, count - offset);
                yield return (offset, n, n);
            }
            yield break;
        }
        var largest = Math.Min(buckets[^1], maxPerCall);
        for (var offset = 0; offset < count; offset += largest)
        {
            var n = Math.Min(largest, count - offset);
            var size = buckets.First(b => b >= n);
            yield return (offset, n, size);
        }
    }
}
