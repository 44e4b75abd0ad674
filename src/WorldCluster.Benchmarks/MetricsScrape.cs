using System.Globalization;
using System.Text.RegularExpressions;

namespace WorldCluster.Benchmarks;

/// <summary>One reading of a host's Prometheus <c>/metrics</c>: every sample by name and labels.</summary>
/// <remarks>Benchmarks read the server's own timings this way, so they work the same in-process and against <c>--url</c>.</remarks>
internal sealed partial class MetricsScrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples;

    private MetricsScrape(List<(string, Dictionary<string, string>, double)> samples) => _samples = samples;

    /// <summary>Reads <c>/metrics</c> of the host behind <paramref name="http"/>.</summary>
    public static async Task<MetricsScrape> ReadAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var text = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), cancellationToken);
        return Parse(text);
    }

    /// <summary>Parses Prometheus text exposition.</summary>
    public static MetricsScrape Parse(string text)
    {
        var samples = new List<(string, Dictionary<string, string>, double)>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#' || SampleLine().Match(line) is not { Success: true } m)
            {
                continue;
            }
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match l in LabelPair().Matches(m.Groups["labels"].Value))
            {
                labels[l.Groups[1].Value] = l.Groups[2].Value;
            }
            if (double.TryParse(m.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                samples.Add((m.Groups["name"].Value, labels, value));
            }
        }
        return new MetricsScrape(samples);
    }

    /// <summary>The sum of every sample of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && Matches(s.Labels, labels)).Sum(s => s.Value);

    /// <summary>A histogram's cumulative buckets (upper bound, count), summed over the series that match <paramref name="labels"/>.</summary>
    public HistogramReading Histogram(string name, params (string Key, string Value)[] labels)
    {
        var buckets = _samples
            .Where(s => s.Name == name + "_bucket" && Matches(s.Labels, labels))
            .GroupBy(s => s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], CultureInfo.InvariantCulture))
            .Select(g => (UpperBound: g.Key, Count: g.Sum(s => s.Value)))
            .OrderBy(b => b.UpperBound)
            .ToArray();
        return new HistogramReading(buckets, Sum(name + "_sum", labels), Sum(name + "_count", labels));
    }

    private static bool Matches(Dictionary<string, string> have, (string Key, string Value)[] want) =>
        want.All(w => have.TryGetValue(w.Key, out var v) && v == w.Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>\S+)""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)""")]
    private static partial Regex LabelPair();
}

/// <summary>A histogram as read from Prometheus: cumulative buckets, sum and count.</summary>
internal sealed record HistogramReading((double UpperBound, double Count)[] Buckets, double Sum, double Count)
{
    /// <summary>What was observed between <paramref name="before"/> and this reading.</summary>
    public HistogramReading Since(HistogramReading before)
    {
        var earlier = before.Buckets.ToDictionary(b => b.UpperBound, b => b.Count);
        return new HistogramReading(
            [.. Buckets.Select(b => (b.UpperBound, b.Count - earlier.GetValueOrDefault(b.UpperBound)))], Sum - before.Sum, Count - before.Count);
    }

    /// <summary>The mean observation (0 when empty).</summary>
    public double Mean => Count > 0 ? Sum / Count : 0;

    /// <summary>The <paramref name="q"/> quantile, interpolated linearly inside its bucket as PromQL's histogram_quantile does.</summary>
    public double Quantile(double q)
    {
        if (Count <= 0 || Buckets.Length == 0)
        {
            return 0;
        }
        var rank = q * Count;
        var (lower, below) = (0.0, 0.0);
        foreach (var (upper, count) in Buckets)
        {
            if (count >= rank)
            {
                if (double.IsPositiveInfinity(upper))
                {
                    return lower;
                }
                var inBucket = count - below;
                return inBucket <= 0 ? upper : lower + ((upper - lower) * (rank - below) / inBucket);
            }
            (lower, below) = (upper, count);
        }
        return lower;
    }
}
