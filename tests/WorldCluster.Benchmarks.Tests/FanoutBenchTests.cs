using System.Text.Json;

namespace WorldCluster.Benchmarks.Tests;

public sealed class FanoutBenchTests
{
    [Fact]
    public async Task Bench_fanout_runs_both_phases_against_an_in_process_host_and_writes_its_report()
    {
        var report = Path.Combine(Path.GetTempPath(), $"bench-fanout-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, output, error) = await BenchRun.InvokeAsync("fanout", "--subscribers", "3", "--seconds", "2", "--out", report);

            Assert.True(exit == 0, $"exit {exit}: {error}\n{output}");
            Assert.Contains("| subscribers |", output, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var root = json.RootElement;
            Assert.Equal("fanout", root.GetProperty("benchmark").GetString());
            Assert.False(string.IsNullOrEmpty(root.GetProperty("machine").GetProperty("cpu").GetString()));
            Assert.True(root.GetProperty("machine").GetProperty("cores").GetInt32() > 0);
            Assert.StartsWith(".NET", root.GetProperty("machine").GetProperty("dotnet").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Null, root.GetProperty("settings").GetProperty("url").ValueKind);
            Assert.True(root.GetProperty("ticksPerSecondRatio").GetDouble() > 0);
            Assert.True(root.GetProperty("complete").GetBoolean());

            var phases = root.GetProperty("phases").EnumerateArray().ToList();
            Assert.Equal([0, 3], phases.Select(p => p.GetProperty("subscribers").GetInt32()));
            foreach (var phase in phases)
            {
                var ticks = phase.GetProperty("ticks").GetInt64();
                Assert.True(ticks > 0, "the world ticked during the phase");
                Assert.Equal(ticks, phase.GetProperty("endTick").GetInt64() - phase.GetProperty("startTick").GetInt64());
                Assert.True(phase.GetProperty("ticksPerSecond").GetDouble() > 0);
                Assert.Equal(20, phase.GetProperty("targetHz").GetInt32());
                Assert.True(phase.GetProperty("tickIntervalP50Ms").GetDouble() > 0);
                Assert.True(phase.GetProperty("tickIntervalP99Ms").GetDouble() >= phase.GetProperty("tickIntervalP50Ms").GetDouble());
                Assert.Equal(0, phase.GetProperty("playerGaps").GetInt32());
                Assert.Equal(0, phase.GetProperty("subscriberGaps").GetInt32());
                Assert.Equal(0, phase.GetProperty("subscriberFramesMissing").GetInt64());
                Assert.Equal(0, phase.GetProperty("subscribersDisconnected").GetInt32());
            }
            // Every subscriber received every tick of its phase.
            var withSubscribers = phases[1];
            Assert.Equal(withSubscribers.GetProperty("ticks").GetInt64(), withSubscribers.GetProperty("subscriberFramesExpected").GetInt64());
            Assert.Equal(withSubscribers.GetProperty("ticks").GetInt64(), withSubscribers.GetProperty("subscriberFramesMin").GetInt64());
        }
        finally
        {
            File.Delete(report);
        }
    }

    [Theory]
    [InlineData("--subscribers", "0")]
    [InlineData("--seconds", "-1")]
    [InlineData("--url", "ftp://example")]
    public async Task Bench_fanout_refuses_bad_settings_before_starting_anything(string option, string value)
    {
        var (exit, _, error) = await BenchRun.InvokeAsync("fanout", option, value);

        Assert.NotEqual(0, exit);
        Assert.True(error.Contains(option, StringComparison.Ordinal) || error.Contains(value, StringComparison.Ordinal), error);
    }
}
