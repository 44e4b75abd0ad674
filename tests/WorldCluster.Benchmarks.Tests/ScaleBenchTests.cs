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

    [Fact]
    public async Task Spill_churn_under_a_budget_of_three_keeps_every_digest_and_tick_and_never_exceeds_the_budget()
    {
        var report = Path.Combine(Path.GetTempPath(), $"bench-scale-spill-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, output, error) = await BenchRun.InvokeAsync("scale", "--model", "kv-cache", "--packages", FixtureFolders.Large,
                "--worlds", "8", "--resident-budget", "3", "--churn-seconds", "2", "--concurrency", "4", "--sample", "4", "--out", report);

            // The command itself fails when twins differ, a world read back differs, or the budget was exceeded.
            Assert.True(exit == 0, $"exit {exit}: {error}\n{output}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var root = json.RootElement;
            Assert.Equal("scale-spill", root.GetProperty("benchmark").GetString());
            Assert.True(root.GetProperty("stateBytes").GetInt64() >= 4 * 1024 * 1024);
            Assert.Equal(3 * root.GetProperty("stateBytes").GetInt64(), root.GetProperty("budgetBytes").GetInt64());
            Assert.InRange(root.GetProperty("maxUsedBytes").GetInt64(), 1, root.GetProperty("budgetBytes").GetInt64());
            // A new world takes no budget until its first step, so nothing was stepping while they were created.
            Assert.Equal(0, root.GetProperty("createRefusals").GetInt64());
            Assert.True(root.GetProperty("churnSteps").GetInt64() > 0);
            Assert.True(root.GetProperty("spills").GetInt64() > 0, "nothing spilled");
            Assert.Equal(4, root.GetProperty("pairsChecked").GetInt32());
            Assert.Equal(0, root.GetProperty("digestMismatches").GetInt32());
            Assert.Equal(4, root.GetProperty("restartChecked").GetInt32());
            Assert.Equal(0, root.GetProperty("restartMismatches").GetInt32());
            Assert.Equal(4, root.GetProperty("coldSample").GetInt32());
            Assert.True(root.GetProperty("coldStepP99Ms").GetDouble() >= root.GetProperty("coldStepP50Ms").GetDouble());
        }
        finally
        {
            File.Delete(report);
        }
    }

    [Fact]
    public async Task A_negative_budget_is_refused_before_anything_starts()
    {
        var (exit, _, error) = await BenchRun.InvokeAsync("scale", "--resident-budget", "-1", "--out", Path.Combine(Path.GetTempPath(), "unused.json"));

        Assert.NotEqual(0, exit);
        Assert.Contains("--resident-budget must be 0", error, StringComparison.Ordinal);
    }
}
