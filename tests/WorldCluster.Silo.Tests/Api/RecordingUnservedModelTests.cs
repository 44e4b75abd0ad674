using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Api;

/// <summary>
/// A world whose model the cluster no longer serves cannot be replayed, so it cannot be recorded: a clear 4xx, and its
/// stored history stays as it was (the host serves the TorchScript fixture at first, then restarts without it).
/// </summary>
public sealed class RecordingUnservedModelTests : IAsyncLifetime
{
    private readonly SiloHostFixture _host;
    private int _starts;

    public RecordingUnservedModelTests()
    {
        var packages = Path.Combine(AzuriteFixture.FindRepositoryRoot(), "tests", "fixtures", "models");
        _host = SiloHostFixture.With("recording-unserved", _ => _starts++ == 0
            ? ["--WorldCluster:Models:Packages:0", packages]
            : ["--WorldCluster:Models:Serve:0", "reference-world"]);
    }

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Recording_a_world_whose_model_is_not_served_is_refused_and_its_history_kept()
    {
        using var created = await _host.Http.PostAsJsonAsync("/api/worlds", new { model = "bouncing-balls", seed = 5, players = 2 });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var stepped = await _host.Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions = new[] { 1, 2 } });
        stepped.EnsureSuccessStatusCode();
        // The stop snapshots the world; from the restart on, nothing may write it.
        await _host.RestartAsync();
        var head = Path.Combine(_host.DataRoot, "worlds");
        var stored = Snapshot(head);
        using var video = await _host.Http.GetAsync($"/api/worlds/{id}/recording?fromTick=0&toTick=1");
        using var events = await _host.Http.GetAsync($"/api/worlds/{id}/recording/events?fromTick=0&toTick=1");

        foreach (var refused in (HttpResponseMessage[])[video, events])
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Contains("bouncing-balls@1.0.0, which this silo does not serve", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(stored, Snapshot(head));
    }

    // Every stored file of the data folder's worlds, with its bytes: what "nothing changed" compares.
    private static Dictionary<string, string> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(File.ReadAllBytes(f)));
}
