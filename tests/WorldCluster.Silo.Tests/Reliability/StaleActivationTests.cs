using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Silo.Tests.Processes;

namespace WorldCluster.Silo.Tests.Reliability;

/// <summary>
/// Two activations of one world, as after a network partition: two silo processes that are not in one cluster but share
/// one store, so each believes it owns the world. The newer activation fences the journal and rewrites the head; the older
/// one's conditional writes are then rejected (409) and the newer state survives.
/// </summary>
[Trait("Category", "Reliability")]
[Collection(ReliabilityTestGroup.Name)]
public sealed class StaleActivationTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _data = Directory.CreateTempSubdirectory("worldcluster-stale-").FullName;

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task A_stale_activation_cannot_append_a_tick_or_replace_the_head_and_the_newer_state_survives()
    {
        await using var older = await Start("a");
        var journaled = await Create(older);
        var headed = await Create(older);
        foreach (var id in new[] { journaled, headed })
        {
            for (var t = 0; t < 3; t++)
            {
                await Step(older, id, 1 + t);
            }
        }

        await using var newer = await Start("b");
        // The newer activation loads both worlds (fencing their journals) and moves them on to tick 4, a snapshot: a new head.
        var newerJournaled = await Step(newer, journaled, 4);
        var newerHeaded = await Step(newer, headed, 2);
        Assert.Equal(4, newerHeaded.GetProperty("tick").GetInt64());

        // The older activation still has its world in memory and tries to write: a tick (journal append at its old length) ...
        var staleStep = await older.Http.PostAsJsonAsync($"/api/worlds/{journaled}/step", new { actions = new[] { 3 } });
        Assert.Equal(HttpStatusCode.Conflict, staleStep.StatusCode);
        Assert.Equal("application/problem+json", staleStep.Content.Headers.ContentType?.MediaType);
        // ... and a delete conditional on the head it read, which is no longer the stored one.
        var staleDelete = await older.Http.DeleteAsync($"/api/worlds/{headed}");
        Assert.Equal(HttpStatusCode.Conflict, staleDelete.StatusCode);

        // The newer state is what is stored: a third process, reading only the store, finds it.
        await older.KillAsync();
        await newer.KillAsync();
        await using var reader = await Start("c");
        var afterJournaled = await reader.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{journaled}");
        Assert.Equal(newerJournaled.GetProperty("tick").GetInt64(), afterJournaled.GetProperty("tick").GetInt64());
        Assert.Equal(newerJournaled.GetProperty("stateDigest").GetString(), afterJournaled.GetProperty("stateDigest").GetString());
        var afterHeaded = await reader.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{headed}");
        Assert.Equal(newerHeaded.GetProperty("tick").GetInt64(), afterHeaded.GetProperty("tick").GetInt64());
        Assert.Equal(newerHeaded.GetProperty("stateDigest").GetString(), afterHeaded.GetProperty("stateDigest").GetString());
    }

    // Each process is a cluster of its own (its own cluster id and ports) over the shared world store.
    private Task<SiloProcess> Start(string name) => SiloProcess.StartAsync(_data,
    [
        "--WorldCluster:ClusterId", $"stale-{name}",
        "--WorldCluster:Store:Kind", "files",
        "--WorldCluster:Worlds:SnapshotEvery", "4",
    ], Deadline);

    private static async Task<string> Create(SiloProcess silo)
    {
        var response = await silo.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 99, players = 1 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> Step(SiloProcess silo, string id, int action)
    {
        var response = await silo.Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions = new[] { action } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
