using System.Text.Json;

namespace WorldCluster.Benchmarks.Tests;

public sealed class ModelsBenchTests
{
    [Fact]
    public async Task Bench_models_quick_measures_every_phase_and_writes_a_complete_report()
    {
        var report = Path.Combine(Path.GetTempPath(), $"bench-models-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, output, error) = await BenchRun.InvokeAsync(
                "models", "--quick", "--model", "reference-world", "--seconds", "0.3", "--realtime-worlds", "2", "--players", "2", "--out", report);

            Assert.True(exit == 0, $"exit {exit}: {error}\n{output}");
            Assert.Contains("| batch size / worlds |", output, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var root = json.RootElement;
            Assert.Equal("models", root.GetProperty("benchmark").GetString());
            Assert.Equal("orleans", root.GetProperty("settings").GetProperty("transport").GetString());
            var model = Assert.Single(root.GetProperty("models").EnumerateArray());
            Assert.StartsWith("reference-world@", model.GetProperty("model").GetString(), StringComparison.Ordinal);
            Assert.True(model.GetProperty("stateBytes").GetInt64() > 0);

            var limit = model.GetProperty("limit").EnumerateArray().ToList();
            Assert.Equal([1, 4, 16], limit.Select(l => l.GetProperty("batchSize").GetInt32()));
            Assert.All(limit, l => Assert.True(l.GetProperty("stepsPerSecond").GetDouble() > 0));
            foreach (var phase in new[] { "served", "unbatched" })
            {
                var points = model.GetProperty(phase).EnumerateArray().ToList();
                Assert.Equal([1, 16], points.Select(p => p.GetProperty("worlds").GetInt32()));
                Assert.All(points, p =>
                {
                    Assert.True(p.GetProperty("steps").GetInt64() > 0, $"{phase}: no steps");
                    Assert.True(p.GetProperty("stepsPerSecond").GetDouble() > 0);
                    Assert.True(p.GetProperty("meanBatchSize").GetDouble() >= 1);
                    Assert.True(p.GetProperty("meanBatchCallMs").GetDouble() > 0);
                    // The forward pass is part of the batched call, and the model is busy part of the time, never more.
                    Assert.InRange(p.GetProperty("meanForwardMs").GetDouble(), double.Epsilon, p.GetProperty("meanBatchCallMs").GetDouble());
                    Assert.InRange(p.GetProperty("modelBusy").GetDouble(), double.Epsilon, 1.0);
                    Assert.True(p.GetProperty("meanJournalMs").GetDouble() > 0);
                });
            }
            // Unbatched means one world per model call.
            Assert.All(model.GetProperty("unbatched").EnumerateArray(), p => Assert.Equal(1, p.GetProperty("meanBatchSize").GetDouble()));
            Assert.All(model.GetProperty("served").EnumerateArray(), p => Assert.True(p.GetProperty("efficiency").GetDouble() > 0));
            // The profile splits each served point's wall time per step into parts that add up to it.
            Assert.Contains("where the time of a served step goes", output, StringComparison.Ordinal);
            var profile = model.GetProperty("profile").EnumerateArray().ToList();
            Assert.Equal([1, 16], profile.Select(p => p.GetProperty("worlds").GetInt32()));
            Assert.All(profile, p =>
            {
                var parts = p.GetProperty("forwardMicros").GetDouble() + p.GetProperty("batcherMicros").GetDouble() + p.GetProperty("clusterMicros").GetDouble();
                Assert.Equal(p.GetProperty("microsPerStep").GetDouble(), parts, 0.5);
                Assert.True(p.GetProperty("forwardMicros").GetDouble() > 0);
                Assert.True(p.GetProperty("limitMicrosLow").GetDouble() > 0);
            });
            Assert.True(model.GetProperty("modelBatchGain").GetDouble() > 0);
            Assert.True(model.GetProperty("servedBatchGain").GetDouble() > 0);

            var realtime = model.GetProperty("realtime");
            Assert.Equal(2, realtime.GetProperty("worlds").GetInt32());
            Assert.Equal(2, realtime.GetProperty("players").GetInt32());
            Assert.True(realtime.GetProperty("ticksPerSecondPerWorld").GetDouble() > 0);
            Assert.True(realtime.GetProperty("actions").GetInt64() > 0, "no action's frame arrived");
            Assert.True(realtime.GetProperty("latencyP50Ms").GetDouble() > 0);
            Assert.True(realtime.GetProperty("latencyP99Ms").GetDouble() >= realtime.GetProperty("latencyP50Ms").GetDouble());
            Assert.True(realtime.GetProperty("tickP50Ms").GetDouble() > 0);
            Assert.True(realtime.GetProperty("forwardP50Ms").GetDouble() > 0);
            Assert.True(realtime.GetProperty("tickP99Ms").GetDouble() >= realtime.GetProperty("overheadP99Ms").GetDouble());
            Assert.Equal(JsonValueKind.Object, model.GetProperty("goals").ValueKind);
        }
        finally
        {
            File.Delete(report);
        }
    }

    [Fact]
    public async Task Bench_models_refuses_a_model_the_host_does_not_serve()
    {
        var (exit, _, error) = await BenchRun.InvokeAsync("models", "--quick", "--model", "no-such-model", "--out", Path.Combine(Path.GetTempPath(), "unused.json"));

        Assert.NotEqual(0, exit);
        Assert.Contains("no-such-model", error, StringComparison.Ordinal);
    }
}
