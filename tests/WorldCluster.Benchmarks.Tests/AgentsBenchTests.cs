using System.Text.Json;

namespace WorldCluster.Benchmarks.Tests;

public sealed class AgentsBenchTests
{
    [Fact]
    public async Task Bench_agents_measures_every_path_at_every_world_count_with_matched_threads()
    {
        Assert.True(File.Exists(PythonChild.Interpreter), $"{PythonChild.Interpreter} is missing: bash build/install-deps.sh installs it with python3-torch");
        var report = Path.Combine(Path.GetTempPath(), $"bench-agents-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, output, error) = await BenchRun.InvokeAsync(
                "agents", "--packages", FixtureFolders.Models, "--model", "bouncing-balls", "--worlds", "1", "--worlds", "2", "--seconds", "0.2", "--out", report);

            Assert.True(exit == 0, $"exit {exit}: {error}\n{output}");
            Assert.Contains("| worlds | (a) model loop | (b) served |", output, StringComparison.Ordinal);
            Assert.Contains("libtorch threads: TorchSharp intra-op", output, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var root = json.RootElement;
            Assert.Equal("agents", root.GetProperty("benchmark").GetString());
            var threads = root.GetProperty("threads");
            Assert.True(threads.GetProperty("intraOp").GetInt32() >= 1);
            Assert.Equal(threads.GetProperty("intraOp").GetInt32(), threads.GetProperty("peerIntraOp").GetInt32());
            Assert.Equal(threads.GetProperty("interOp").GetInt32(), threads.GetProperty("peerInterOp").GetInt32());
            Assert.StartsWith("1.", threads.GetProperty("peerTorch").GetString(), StringComparison.Ordinal);

            var model = Assert.Single(root.GetProperty("models").EnumerateArray());
            Assert.StartsWith("bouncing-balls@", model.GetProperty("model").GetString(), StringComparison.Ordinal);
            Assert.True(model.GetProperty("torchScript").GetBoolean());
            var rows = model.GetProperty("rows").EnumerateArray().ToList();
            Assert.Equal([1, 2], rows.Select(r => r.GetProperty("worlds").GetInt32()));
            Assert.All(rows, r =>
            {
                foreach (var path in new[] { "modelLoop", "served", "vectorFrames", "vectorNoFrames", "torchPerWorld", "torchBatched", "vectorOverModel", "vectorOverTorchBatched" })
                {
                    Assert.True(r.GetProperty(path).GetDouble() > 0, $"{path} at {r.GetProperty("worlds").GetInt32()} worlds: {r.GetProperty(path).GetDouble()}");
                }
                Assert.Equal(r.GetProperty("vectorFrames").GetDouble() / r.GetProperty("modelLoop").GetDouble(), r.GetProperty("vectorOverModel").GetDouble(), 0.001);
            });
        }
        finally
        {
            File.Delete(report);
        }
    }

    [Fact]
    public async Task Bench_agents_refuses_a_model_the_host_does_not_serve()
    {
        var (exit, _, error) = await BenchRun.InvokeAsync("agents", "--model", "no-such-model", "--worlds", "1", "--out", Path.Combine(Path.GetTempPath(), "unused.json"));

        Assert.NotEqual(0, exit);
        Assert.Contains("no-such-model", error, StringComparison.Ordinal);
    }
}
