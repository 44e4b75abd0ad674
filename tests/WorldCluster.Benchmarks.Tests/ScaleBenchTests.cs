using System.Text.Json;

namespace WorldCluster.Benchmarks.Tests;

public sealed class ScaleBenchTests
{
    [Fact]
    public async Task Bench_scale_measures_memory_per_world_and_cold_activations()
    {
        var report = Path.Combine(Path.GetTempPath(), $"bench-scale-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, output, error) = await BenchRun.InvokeAsync("scale", "--worlds", "40", "--sample", "10", "--out", report);

            Assert.True(exit == 0, $"exit {exit}: {error}\n{output}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var root = json.RootElement;
            Assert.Equal("scale", root.GetProperty("benchmark").GetString());
            Assert.Equal(40, root.GetProperty("worlds").GetInt32());
            Assert.True(root.GetProperty("stateBytes").GetInt64() > 0);
            Assert.True(root.GetProperty("managedBytesAfter").GetInt64() > 0);
            Assert.True(root.GetProperty("processBytesAfter").GetInt64() > 0);
            Assert.Equal(10, root.GetProperty("coldSample").GetInt32());
            Assert.True(root.GetProperty("coldActivationP50Ms").GetDouble() > 0);
            Assert.True(root.GetProperty("coldActivationP99Ms").GetDouble() >= root.GetProperty("coldActivationP50Ms").GetDouble());
            Assert.True(root.GetProperty("warmCallP50Ms").GetDouble() > 0);
        }
        finally
        {
            File.Delete(report);
        }
    }
}
