namespace WorldCluster.Silo.Tests.Reliability.Soak;

/// <summary>
/// Growth of one quantity over a soak run, after warm-up: its level in the last fifth of the run against its level in the
/// fifth right after warm-up. A level is the median of the samples in the window, or their minimum for a quantity that saws
/// between collections (the managed heap: its floor, after each GC, is what grows when something leaks).
/// </summary>
/// <param name="Name">What was measured.</param>
/// <param name="Early">The level right after warm-up.</param>
/// <param name="Late">The level at the end.</param>
public sealed record SoakTrend(string Name, double Early, double Late)
{
    /// <summary>What growth is tolerated on top of the relative allowance: a few units of a small count.</summary>
    public double Slack { get; init; }

    /// <summary>Whether the late level is within <paramref name="relative"/> growth of the early one, plus <see cref="Slack"/>.</summary>
    public bool Within(double relative) => Late <= (Early * (1 + relative)) + Slack;

    /// <summary>Late over early, minus one (0.05 is 5 % growth; negative is shrinking).</summary>
    public double Growth => Early == 0 ? (Late == 0 ? 0 : double.PositiveInfinity) : (Late / Early) - 1;

    /// <summary>The trend of <paramref name="value"/> over <paramref name="samples"/>, whose first <paramref name="warmUp"/> is ignored.</summary>
    public static SoakTrend Of(string name, IReadOnlyList<SoakSample> samples, TimeSpan warmUp, Func<SoakSample, double> value, bool floor = false)
    {
        var measured = samples.Where(s => s.At >= warmUp).ToList();
        if (measured.Count < 10)
        {
            throw new InvalidOperationException($"only {measured.Count} samples after warm-up: run longer");
        }
        var window = measured.Count / 5;
        var early = measured.Take(window).Select(value).ToList();
        var late = measured.TakeLast(window).Select(value).ToList();
        return new SoakTrend(name, floor ? early.Min() : Median(early), floor ? late.Min() : Median(late));
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }
}
