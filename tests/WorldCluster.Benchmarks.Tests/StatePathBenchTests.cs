using System.Text.Json;

namespace WorldCluster.Benchmarks.Tests;

public sealed class StatePathBenchTests
{
    [Fact]
    public async Task A_tiny_run_measures_both_paths_for_each_world_count_and_writes_them()
    {
        var report = Path.Combine(Path.GetTempPath(), $"state-path-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, output, error) = await BenchRun.InvokeAsync("state-path", "--model", "reference-world", "--worlds", "1", "3",
                "--rounds", "2", "--blocks", "1", "--out", report);

            Assert.True(exit == 0, $"exit {exit}: {error}\n{output}");
            Assert.Contains("| reference-world@1.0.0 | 1 | 2204 |", output, StringComparison.Ordinal);
            Assert.Contains("| reference-world@1.0.0 | 3 | 2204 |", output, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var points = json.RootElement.GetProperty("points");
            Assert.Equal(2, points.GetArrayLength());
            foreach (var point in points.EnumerateArray())
            {
                Assert.True(point.GetProperty("HostMicroseconds").GetDouble() > 0);
                Assert.True(point.GetProperty("ResidentMicroseconds").GetDouble() > 0);
            }
        }
        finally
        {
            File.Delete(report);
        }
    }

    [Fact]
    public async Task An_unknown_model_is_named_and_nothing_is_measured()
    {
        var (exit, _, error) = await BenchRun.InvokeAsync("state-path", "--model", "no-such-model", "--out", Path.Combine(Path.GetTempPath(), "unused.json"));

        Assert.Equal(2, exit);
        Assert.Contains("model 'no-such-model' is not served", error, StringComparison.Ordinal);
    }
}
