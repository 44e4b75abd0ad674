using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Models;

/// <summary>A real host whose package folder holds the TorchScript fixture and a damaged copy of it under another name.</summary>
[Collection(ModelPackageHosts.Name)]
public sealed class PackagedSiloTests : IAsyncLifetime
{
    private readonly SiloHostFixture _host = SiloHostFixture.With("packaged", AddPackages);

    private HttpClient Http => _host.Http;

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task The_good_package_is_served_beside_the_reference_world_and_the_bad_one_is_reported()
    {
        var models = await Http.GetFromJsonAsync<JsonElement>("/api/models");
        Assert.Equal(["bouncing-balls", "reference-world"], models.EnumerateArray().Select(m => m.GetProperty("name").GetString()));

        var failed = await Http.GetFromJsonAsync<JsonElement>("/api/models/failed");
        var failure = Assert.Single(failed.EnumerateArray());
        Assert.Equal("bad-balls@1.0.0", failure.GetProperty("package").GetString());
        Assert.Contains("weights file 'model.pt' has SHA-256", failure.GetProperty("error").GetString(), StringComparison.Ordinal);

        var ready = await Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Degraded", await ready.Content.ReadAsStringAsync());
        var metrics = await Http.GetStringAsync("/metrics");
        Assert.Contains("worldcluster_model_load_failures 1", metrics, StringComparison.Ordinal);
        // Both served models were warmed up at their batch sizes before they were served; the bad one was not.
        Assert.Matches("worldcluster_model_warmup_seconds\\{model=\"bouncing-balls\",version=\"1.0.0\"\\} [0-9.eE+-]*[1-9]", metrics);
        Assert.Contains("worldcluster_model_warmup_seconds{model=\"reference-world\"", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("worldcluster_model_warmup_seconds{model=\"bad-balls\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_torchscript_world_steps_and_a_fork_replayed_from_its_journal_continues_bit_for_bit()
    {
        var world = await Create(new { model = "bouncing-balls", seed = 7, players = 2 });
        Assert.Equal("1.0.0", world.GetProperty("modelVersion").GetString());
        var id = world.GetProperty("id").GetString();
        int[][] actions = [[1, 4], [0, 2], [3, 3], [4, 0], [2, 1], [0, 0]];
        var digests = new List<string>();
        foreach (var a in actions)
        {
            digests.Add(await Step(id!, a));
        }
        Assert.Equal(actions.Length, digests.Distinct().Count());

        // Tick 3 is no snapshot: the fork replays ticks 1..3 through the model, then must continue exactly as the original did.
        var fork = await Http.PostAsJsonAsync($"/api/worlds/{id}/fork", new { atTick = 3 });
        Assert.Equal(HttpStatusCode.Created, fork.StatusCode);
        var forkId = (await fork.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        for (var i = 3; i < actions.Length; i++)
        {
            Assert.Equal(digests[i], await Step(forkId!, actions[i]));
        }

        var frame = await Http.GetAsync($"/api/worlds/{id}/frame");
        Assert.Equal(HttpStatusCode.OK, frame.StatusCode);
        Assert.Equal("image/png", frame.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_world_may_name_an_exact_version_and_an_unserved_one_is_not_found()
    {
        var pinned = await Create(new { model = "bouncing-balls@1.0.0", seed = 1 });
        Assert.Equal("bouncing-balls", pinned.GetProperty("model").GetString());

        foreach (var model in new[] { "bouncing-balls@2.0.0", "bad-balls" })
        {
            var refused = await Http.PostAsJsonAsync("/api/worlds", new { model, seed = 1 });
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Contains($"model '{model}' is not served here", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    private async Task<JsonElement> Create(object body)
    {
        var created = await Http.PostAsJsonAsync("/api/worlds", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return await created.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string> Step(string id, int[] actions)
    {
        var stepped = await Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions });
        Assert.Equal(HttpStatusCode.OK, stepped.StatusCode);
        return (await stepped.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stateDigest").GetString()!;
    }

    // The good package, and a copy renamed bad-balls whose weights no longer match their checksum.
    private static string[] AddPackages(string data)
    {
        var packages = Path.Combine(data, "packages");
        var fixture = Path.Combine(AzuriteFixture.FindRepositoryRoot(), "tests", "fixtures", "models", "bouncing-balls", "1.0.0");
        Copy(fixture, Path.Combine(packages, "bouncing-balls", "1.0.0"));
        var bad = Path.Combine(packages, "bad-balls", "1.0.0");
        Copy(fixture, bad);
        var manifest = Path.Combine(bad, "model.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"bouncing-balls\"", "\"bad-balls\"", StringComparison.Ordinal));
        File.AppendAllText(Path.Combine(bad, "model.pt"), "tampered");
        return ["--WorldCluster:Models:Packages:0", packages];
    }

    internal static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
