using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Processes;

/// <summary>
/// SIGKILL a silo process while a real-time world ticks with players, start it again, and check that no tick reported
/// durable was lost and that the world resumes with exactly the digests it reported before the kill. Also SIGTERM: a
/// graceful stop leaves every world snapshotted.
/// </summary>
public abstract class KillAndResumeTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>The data folder the processes share.</summary>
    protected string DataRoot { get; } = Directory.CreateTempSubdirectory("worldcluster-kill-").FullName;

    /// <summary>Extra host arguments that choose the store.</summary>
    protected abstract IEnumerable<string> StoreArguments();

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual Task DisposeAsync()
    {
        Directory.Delete(DataRoot, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_killed_silo_resumes_its_world_at_the_last_durable_tick_with_the_same_digest()
    {
        string id;
        long durable;
        Dictionary<long, string> reported;
        string token;
        await using (var silo = await SiloProcess.StartAsync(DataRoot, StoreArguments(), Deadline))
        {
            id = await CreateWorld(silo, new { model = "reference-world", seed = 2024, players = 2, tickHz = 20 });
            // Player 0 joins with a join token, as the web page does, to come back with it after the crash.
            var joined = await silo.Http.PostAsJsonAsync($"/api/worlds/{id}/participants", new { role = "player" });
            Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
            token = (await joined.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
            await using var p0 = await Connect(WithToken(silo.Http, token), id, "");
            await using var p1 = await Connect(silo.Http, id, "role=player");
            await p0.SendTextAsync("""{"action": 4}""");
            await p1.SendTextAsync("""{"action": 2}""");
            await p0.WaitUntil(c => c.Frames.Count >= 10, Deadline);
            await p0.SendTextAsync("""{"action": 2}""");
            await p1.SendTextAsync("""{"action": 5}""");
            await p0.WaitUntil(c => c.Frames.Count >= 30, Deadline);

            await silo.KillAsync();

            var frames = p0.Frames.Concat(p1.Frames).ToList();
            reported = frames.GroupBy(f => f.Header.Tick).ToDictionary(g => g.Key, g => g.Select(f => f.Header.StateDigest).Distinct().Single());
            durable = frames.Max(f => f.Header.DurableTick);
        }
        Assert.True(durable >= 25, $"only tick {durable} was durable after 30 frames");

        await using var again = await SiloProcess.StartAsync(DataRoot, StoreArguments(), Deadline);
        var world = await again.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}");
        var tick = world.GetProperty("tick").GetInt64();

        Assert.True(tick >= durable, $"the world came back at tick {tick}, but tick {durable} was reported durable");
        if (reported.TryGetValue(tick, out var digestAtTick))
        {
            Assert.Equal(digestAtTick, world.GetProperty("stateDigest").GetString());
        }
        // The durable tick itself, recomputed from storage, has the digest clients were told.
        var fork = await again.Http.PostAsJsonAsync($"/api/worlds/{id}/fork", new { atTick = durable });
        Assert.Equal(HttpStatusCode.Created, fork.StatusCode);
        Assert.Equal(reported[durable], (await fork.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stateDigest").GetString());

        // Player 0 comes back (the restarted world holds its slot for its token) and the tick sequence goes on without a gap.
        await using var back = await Connect(WithToken(again.Http, token), id, "");
        await back.WaitUntil(c => c.Frames.Count >= 5, Deadline);
        var ticks = back.Frames.Select(f => f.Header.Tick).ToList();
        Assert.Equal(tick, ticks[0]);
        Assert.Equal(Enumerable.Range((int)tick, ticks.Count).Select(t => (long)t), ticks);
    }

    [Fact]
    public async Task A_terminated_silo_snapshots_its_worlds_and_they_come_back_exactly()
    {
        string id;
        string digest;
        long tick;
        await using (var silo = await SiloProcess.StartAsync(DataRoot, StoreArguments(), Deadline))
        {
            id = await CreateWorld(silo, new { model = "reference-world", seed = 7, players = 1 });
            for (var t = 0; t < 9; t++)
            {
                (await silo.Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions = new[] { 1 + (t % 4) } })).EnsureSuccessStatusCode();
            }
            var before = await silo.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}");
            (tick, digest) = (before.GetProperty("tick").GetInt64(), before.GetProperty("stateDigest").GetString()!);
            await silo.TerminateAsync(Deadline);
        }

        await using var again = await SiloProcess.StartAsync(DataRoot, StoreArguments(), Deadline);
        var after = await again.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}");

        Assert.Equal(tick, after.GetProperty("tick").GetInt64());
        Assert.Equal(digest, after.GetProperty("stateDigest").GetString());
    }

    [Fact]
    public async Task A_silo_killed_while_its_worlds_spill_loses_no_durable_tick()
    {
        // Four real-time worlds and room on the model device for two: every tick spills and resumes worlds.
        var budget = 2 * WorldCluster.Models.Reference.ReferenceWorld.ReferenceManifest.StoredState.Sum(s => s.ByteCount);
        string[] arguments = [.. StoreArguments(), "--WorldCluster:Models:ResidentStateBudgetBytes", budget.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var ids = new List<string>();
        var reported = new Dictionary<string, Dictionary<long, string>>();
        var durable = new Dictionary<string, long>();
        await using (var silo = await SiloProcess.StartAsync(DataRoot, arguments, Deadline))
        {
            // All created before any ticks: once two worlds step, the budget is their working set and a third would be refused.
            for (var w = 0; w < 4; w++)
            {
                ids.Add(await CreateWorld(silo, new { model = "reference-world", seed = 40 + w, players = 1, tickHz = 20 }));
            }
            var players = new List<SessionClient>();
            for (var w = 0; w < 4; w++)
            {
                var player = await Connect(silo.Http, ids[w], "role=player");
                await player.SendTextAsync($$"""{"action": {{1 + w}}}""");
                players.Add(player);
            }
            foreach (var player in players)
            {
                await player.WaitUntil(c => c.Frames.Count >= 20, Deadline);
            }
            var metrics = await silo.Http.GetStringAsync("/metrics");

            await silo.KillAsync();

            Assert.Contains("worldcluster_state_spills_total{model=\"reference-world\"}", metrics, StringComparison.Ordinal);
            Assert.DoesNotContain("worldcluster_state_spills_total{model=\"reference-world\"} 0", metrics, StringComparison.Ordinal);
            for (var w = 0; w < ids.Count; w++)
            {
                var frames = players[w].Frames.ToList();
                reported[ids[w]] = frames.GroupBy(f => f.Header.Tick).ToDictionary(g => g.Key, g => g.Select(f => f.Header.StateDigest).Distinct().Single());
                durable[ids[w]] = frames.Max(f => f.Header.DurableTick);
                await players[w].DisposeAsync();
            }
        }

        await using var again = await SiloProcess.StartAsync(DataRoot, StoreArguments(), Deadline);
        foreach (var id in ids)
        {
            var world = await again.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}");
            Assert.True(world.GetProperty("tick").GetInt64() >= durable[id], $"world {id} came back before its durable tick {durable[id]}");
            var fork = await again.Http.PostAsJsonAsync($"/api/worlds/{id}/fork", new { atTick = durable[id] });
            Assert.Equal(HttpStatusCode.Created, fork.StatusCode);
            Assert.Equal(reported[id][durable[id]], (await fork.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stateDigest").GetString());
        }
    }

    private static async Task<string> CreateWorld(SiloProcess silo, object body)
    {
        var response = await silo.Http.PostAsJsonAsync("/api/worlds", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<SessionClient> Connect(HttpClient http, string id, string query)
    {
        var (client, refused) = await SessionClient.ConnectAsync(http, id, query);
        Assert.True(client is not null, $"session refused: {refused}");
        return client;
    }

    // A client of the silo's address carrying a join token (SessionClient reads only these two).
    private static HttpClient WithToken(HttpClient http, string token)
    {
        var client = new HttpClient { BaseAddress = http.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

/// <summary>Kill and resume with worlds in local files (the embedded default).</summary>
public sealed class KillAndResumeOnFilesTests : KillAndResumeTests
{
    /// <inheritdoc />
    protected override IEnumerable<string> StoreArguments() => ["--WorldCluster:Store:Kind", "files"];
}

/// <summary>Kill and resume with worlds in Azure Blob Storage (Azurite on loopback).</summary>
public sealed class KillAndResumeOnAzureBlobTests(AzuriteFixture azurite) : KillAndResumeTests, IClassFixture<AzuriteFixture>
{
    private readonly string _container = $"kill-{Guid.NewGuid():N}"[..20];

    /// <inheritdoc />
    protected override IEnumerable<string> StoreArguments() =>
    [
        "--WorldCluster:Store:Kind", "azure-blob",
        "--WorldCluster:Store:ConnectionString", azurite.ConnectionString,
        "--WorldCluster:Store:Container", _container,
    ];
}
