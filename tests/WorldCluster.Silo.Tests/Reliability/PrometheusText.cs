using System.Globalization;

namespace WorldCluster.Silo.Tests.Reliability;

/// <summary>Reads samples out of a silo's <c>/metrics</c> page (Prometheus text format).</summary>
public static class PrometheusText
{
    /// <summary>Scrapes <c>/metrics</c> once.</summary>
    public static async Task<string> ScrapeAsync(HttpClient http) => await http.GetStringAsync("/metrics");

    /// <summary>The sum of every sample of <paramref name="metric"/> whose labels contain <paramref name="labelFilter"/> (0 when none).</summary>
    public static double Sum(string page, string metric, string labelFilter = "")
    {
        var total = 0.0;
        foreach (var line in page.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(metric, StringComparison.Ordinal))
            {
                continue;
            }
            var rest = line[metric.Length..];
            if (rest.Length == 0 || (rest[0] != ' ' && rest[0] != '{'))
            {
                continue; // another metric that shares the prefix
            }
            var labels = rest[0] == '{' ? rest[..(rest.IndexOf('}') + 1)] : "";
            if (!labels.Contains(labelFilter, StringComparison.Ordinal))
            {
                continue;
            }
            total += double.Parse(rest[labels.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return total;
    }
}
