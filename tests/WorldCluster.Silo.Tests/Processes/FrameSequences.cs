using System.Globalization;

namespace WorldCluster.Silo.Tests.Processes;

/// <summary>What the rolling-upgrade tests judge in the frames a player saw: tick continuity, digests, gaps in time.</summary>
public static class FrameSequences
{
    /// <summary>Every place where a tick is not the previous one plus one, described for a failure message.</summary>
    public static IEnumerable<string> Breaks(string worldId, IReadOnlyList<ReceivedFrame> frames, int from = 1)
    {
        for (var i = Math.Max(from, 1); i < frames.Count; i++)
        {
            if (frames[i].Tick != frames[i - 1].Tick + 1)
            {
                yield return $"world {worldId}: frame {i} at {frames[i].At.TotalSeconds:0.000} s has tick {frames[i].Tick} after tick {frames[i - 1].Tick}";
            }
        }
    }

    /// <summary>Every tick that came with two different digests, described for a failure message.</summary>
    public static IEnumerable<string> DigestConflicts(string worldId, IEnumerable<ReceivedFrame> frames, long upToTick = long.MaxValue) =>
        frames.Where(f => f.Tick <= upToTick).GroupBy(f => f.Tick)
            .Where(g => g.Select(f => f.Digest).Distinct().Count() > 1)
            .Select(g => $"world {worldId}: tick {g.Key} came with digests {string.Join(", ", g.Select(f => f.Digest).Distinct())}");

    /// <summary>The time between each pair of consecutive frames.</summary>
    public static IEnumerable<TimeSpan> Gaps(IReadOnlyList<ReceivedFrame> frames) =>
        Enumerable.Range(1, Math.Max(frames.Count - 1, 0)).Select(i => frames[i].At - frames[i - 1].At);

    /// <summary>p50 / p99 / max of <paramref name="gaps"/> in milliseconds, as one line.</summary>
    public static string Describe(IEnumerable<TimeSpan> gaps)
    {
        var sorted = gaps.Select(g => g.TotalMilliseconds).Order().ToArray();
        if (sorted.Length == 0)
        {
            return "no gaps (fewer than two frames)";
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"{sorted.Length} gaps: p50 {Percentile(sorted, 0.50):0} ms, p99 {Percentile(sorted, 0.99):0} ms, max {sorted[^1]:0} ms");
    }

    // Nearest rank on sorted values: the smallest value with at least that share of values at or below it.
    private static double Percentile(double[] sorted, double share) =>
        sorted[Math.Clamp((int)Math.Ceiling(share * sorted.Length) - 1, 0, sorted.Length - 1)];
}
