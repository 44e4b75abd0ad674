using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Models;

/// <summary>
/// A real host serving the bouncing-balls model in both formats (TorchScript and ONNX), beside three broken ONNX
/// packages: a graph that contradicts its manifest, a graph stamped with a too-new opset, and a damaged graph.
/// </summary>
[Collection(ModelPackageHosts.Name)]
public sealed class OnnxSiloTests : IAsyncLifetime
{
    private static readonly int[][] Actions = [[1, 4], [0, 2], [3, 3], [4, 0], [2, 1], [0, 0]];

    private readonly SiloHostFixture _host = SiloHostFixture.With("onnx", AddPackages);

    private HttpClient Http => _host.Http;

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Each_broken_onnx_package_is_reported_with_its_reason_and_the_good_models_are_served()
    {
        var models = await Http.GetFromJsonAsync<JsonElement>("/api/models");
        Assert.Equal(["bouncing-balls", "bouncing-balls-onnx", "reference-world"], models.EnumerateArray().Select(m => m.GetProperty("name").GetString()));

        var failed = (await Http.GetFromJsonAsync<JsonElement>("/api/models/failed")).EnumerateArray()
            .ToDictionary(f => f.GetProperty("package").GetString()!, f => f.GetProperty("error").GetString()!);
        Assert.Equal(["onnx-checksum@1.0.0", "onnx-names@1.0.0", "onnx-opset@1.0.0"], failed.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("weights file 'init.onnx' has SHA-256", failed["onnx-checksum@1.0.0"], StringComparison.Ordinal);
        Assert.Contains("init.onnx has no output 'next_position'", failed["onnx-names@1.0.0"], StringComparison.Ordinal);
        Assert.Contains("step.onnx cannot be loaded by ONNX Runtime 1.32.0: it is stamped with opset 99", failed["onnx-opset@1.0.0"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_onnx_world_steps_like_its_torchscript_twin_batches_resumes_and_forks_exactly()
    {
        var twin = await Create("bouncing-balls");
        var world = await Create("bouncing-balls-onnx");
        var digests = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await Step(twin, Actions[i]);
            digests.Add(await Step(world, Actions[i]));
        }

        // The world resumes from storage after the host restarts, and goes on as if it never stopped.
        await _host.RestartAsync();
        for (var i = 3; i < Actions.Length; i++)
        {
            await Step(twin, Actions[i]);
            digests.Add(await Step(world, Actions[i]));
        }
        Assert.Equal(Actions.Length, digests.Distinct().Count());
        // The digests name the model, so compare what a player sees: the same module renders the same frame in both runtimes.
        Assert.Equal(await Http.GetByteArrayAsync($"/api/worlds/{twin}/frame"), await Http.GetByteArrayAsync($"/api/worlds/{world}/frame"));

        // Four worlds stepped at once (batched together as their steps meet in the batcher) each follow the solo trajectory.
        var crowd = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Create("bouncing-balls-onnx")));
        for (var i = 0; i < Actions.Length; i++)
        {
            var tick = await Task.WhenAll(crowd.Select(id => Step(id, Actions[i])));
            Assert.All(tick, d => Assert.Equal(digests[i], d));
        }

        // Tick 2 is no snapshot: the fork replays ticks 1..2 through the graphs, then continues exactly as the original did.
        var fork = await Http.PostAsJsonAsync($"/api/worlds/{world}/fork", new { atTick = 2 });
        Assert.Equal(HttpStatusCode.Created, fork.StatusCode);
        var forkId = (await fork.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        for (var i = 2; i < Actions.Length; i++)
        {
            Assert.Equal(digests[i], await Step(forkId, Actions[i]));
        }
    }

    private async Task<string> Create(string model)
    {
        var created = await Http.PostAsJsonAsync("/api/worlds", new { model, seed = 11, players = 2 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<string> Step(string id, int[] actions)
    {
        var stepped = await Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions });
        Assert.Equal(HttpStatusCode.OK, stepped.StatusCode);
        return (await stepped.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stateDigest").GetString()!;
    }

    private static string[] AddPackages(string data)
    {
        var packages = Path.Combine(data, "packages");
        string[] arguments = ["--WorldCluster:Models:Packages:0", packages];
        if (Directory.Exists(packages))
        {
            return arguments; // a restart of the same host
        }
        var fixtures = Path.Combine(AzuriteFixture.FindRepositoryRoot(), "tests", "fixtures");
        var onnx = Path.Combine(fixtures, "models", "bouncing-balls-onnx", "1.0.0");
        PackagedSiloTests.Copy(Path.Combine(fixtures, "models", "bouncing-balls", "1.0.0"), Path.Combine(packages, "bouncing-balls", "1.0.0"));
        PackagedSiloTests.Copy(onnx, Path.Combine(packages, "bouncing-balls-onnx", "1.0.0"));

        Broken(packages, onnx, "onnx-names", m => m.Replace("\"name\": \"pos\"", "\"name\": \"position\"", StringComparison.Ordinal));
        var opset = Broken(packages, onnx, "onnx-opset", m => m);
        File.Copy(Path.Combine(fixtures, "onnx-graphs", "step-opset-99.onnx"), Path.Combine(opset, "step.onnx"), overwrite: true);
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(opset, "step.onnx"))));
        var manifest = Path.Combine(opset, "model.json");
        var json = File.ReadAllText(manifest);
        File.WriteAllText(manifest, json.Replace(Sha(json, "step.onnx"), sha, StringComparison.Ordinal));
        var checksum = Broken(packages, onnx, "onnx-checksum", m => m);
        File.AppendAllText(Path.Combine(checksum, "init.onnx"), "tampered");
        return arguments;
    }

    // A copy of the ONNX fixture under another name, its model.json edited.
    private static string Broken(string packages, string fixture, string name, Func<string, string> edit)
    {
        var folder = Path.Combine(packages, name, "1.0.0");
        PackagedSiloTests.Copy(fixture, folder);
        var manifest = Path.Combine(folder, "model.json");
        File.WriteAllText(manifest, edit(File.ReadAllText(manifest).Replace("\"bouncing-balls-onnx\"", $"\"{name}\"", StringComparison.Ordinal)));
        return folder;
    }

    // The sha256 the manifest gives right after the file name (the exporter writes "file", "format", "sha256" in that order).
    private static string Sha(string manifest, string file)
    {
        var at = manifest.IndexOf("\"sha256\": \"", manifest.IndexOf($"\"{file}\"", StringComparison.Ordinal), StringComparison.Ordinal) + "\"sha256\": \"".Length;
        return manifest.Substring(at, 64);
    }
}
