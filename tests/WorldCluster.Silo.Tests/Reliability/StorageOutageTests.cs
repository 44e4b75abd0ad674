using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Silo.Tests.Fixtures;
using WorldCluster.Silo.Tests.Processes;
using Xunit.Abstractions;

namespace WorldCluster.Silo.Tests.Reliability;

/// <summary>
/// Azure Blob Storage (Azurite, with data on disk) goes away for 30 s under load: real-time worlds keep ticking and
/// serving, their durable tick stops, storage errors are counted, and once storage is back every tick is written in
/// order; a SIGKILL afterwards loses nothing that was reported durable.
/// </summary>
[Trait("Category", "Fault")]
[Collection(ReliabilityTestGroup.Name)]
public sealed class StorageOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Worlds = 10;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    // Snapshots during the outage and the catch-up too, not only the journal.
    private readonly ProcessCluster _cluster = ProcessCluster.OverBlobStorage("outage", Deadline, persistent: true, "--WorldCluster:Worlds:SnapshotEvery", "64");

    /// <inheritdoc />
    public Task InitializeAsync() => _cluster.InitializeAsync();

    /// <inheritdoc />
    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task Worlds_keep_ticking_through_a_storage_outage_and_everything_is_durable_once_it_is_back()
    {
        var ids = new List<string>();
        var players = new List<SessionClient>();
        Dictionary<string, Dictionary<long, string>> reported;
        Dictionary<string, long> durable;
        Dictionary<string, long> outageStart;
        Dictionary<string, long> outageEnd;
        await using (var silo = await _cluster.StartSiloAsync("silo"))
        {
            try
            {
                for (var i = 0; i < Worlds; i++)
                {
                    var id = await Create(silo, new { model = "reference-world", seed = 500 + i, players = 1, tickHz = 10 });
                    ids.Add(id);
                    var (player, refused) = await SessionClient.ConnectAsync(silo.Http, id, "role=player");
                    Assert.True(player is not null, $"session refused: {refused}");
                    players.Add(player);
                    await player.SendTextAsync($$"""{"action": {{1 + (i % 4)}}}""");
                }
                foreach (var p in players)
                {
                    await p.WaitUntil(c => c.Frames.Count > 0 && c.Frames[^1].Header.DurableTick >= 10, Deadline);
                }
                var errorsBefore = Errors(await PrometheusText.ScrapeAsync(silo.Http));

                await _cluster.Azurite.StopAsync();
                var stoppedAt = players.Select(p => p.Frames[^1].Header.Tick).ToList();
                var outage = Task.Delay(Outage);
                // While storage is down the silo still answers, and a world can be read.
                var during = await silo.Http.GetAsync($"/api/worlds/{ids[0]}");
                Assert.Equal(HttpStatusCode.OK, during.StatusCode);
                await outage;

                var down = players.Select(p => p.Frames[^1].Header).ToList();
                for (var i = 0; i < Worlds; i++)
                {
                    // Ticks went on (10 Hz for 30 s is 300 ticks; a loaded machine gets fewer, but far more than 50) ...
                    Assert.True(down[i].Tick - stoppedAt[i] >= 50, $"world {ids[i]} ticked only {down[i].Tick - stoppedAt[i]} times while storage was down");
                    // ... while durability stopped where storage went away (give or take the second of ticks in flight to the players).
                    Assert.True(down[i].DurableTick <= stoppedAt[i] + 10, $"world {ids[i]} reported tick {down[i].DurableTick} durable with storage down since tick {stoppedAt[i]}");
                }
                var errorsDuring = Errors(await PrometheusText.ScrapeAsync(silo.Http));
                Assert.True(errorsDuring > errorsBefore, "storage errors were not counted");

                await _cluster.Azurite.StartAsync();
                var restarted = System.Diagnostics.Stopwatch.StartNew();
                try
                {
                    for (var i = 0; i < Worlds; i++)
                    {
                        var target = down[i].Tick;
                        await players[i].WaitUntil(c => c.Frames[^1].Header.DurableTick >= target, Deadline);
                    }
                }
                catch (InvalidOperationException)
                {
                    // A player's socket closed during catch-up: the silo's log says why (it once was a lost-answer append).
                    output.WriteLine("silo output:\n" + silo.Output);
                    throw;
                }
                output.WriteLine($"outage: {Outage.TotalSeconds} s; ticks per world while down {down.Zip(stoppedAt).Min(x => x.First.Tick - x.Second)}..{down.Zip(stoppedAt).Max(x => x.First.Tick - x.Second)}; "
                    + $"storage errors counted {errorsDuring - errorsBefore}; every world durable at its outage-end tick {restarted.Elapsed.TotalSeconds:0.0} s after storage answered again");

                reported = ids.Zip(players).ToDictionary(x => x.First, x => x.Second.Frames.GroupBy(f => f.Header.Tick)
                    .ToDictionary(g => g.Key, g => g.Select(f => f.Header.StateDigest).Distinct().Single()));
                durable = ids.Zip(players).ToDictionary(x => x.First, x => x.Second.Frames.Max(f => f.Header.DurableTick));
                outageStart = ids.Zip(stoppedAt).ToDictionary(x => x.First, x => x.Second);
                outageEnd = ids.Zip(down).ToDictionary(x => x.First, x => x.Second.Tick);
                await silo.KillAsync();
            }
            finally
            {
                foreach (var p in players)
                {
                    await p.DisposeAsync();
                }
            }
        }

        await using var again = await _cluster.StartSiloAsync("silo");
        foreach (var id in ids)
        {
            var world = await again.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}");
            var tick = world.GetProperty("tick").GetInt64();
            Assert.True(tick >= durable[id], $"world {id} came back at tick {tick}, but tick {durable[id]} was reported durable");
            if (reported[id].TryGetValue(tick, out var digest))
            {
                Assert.Equal(digest, world.GetProperty("stateDigest").GetString());
            }
            // Ticks journaled in the catch-up replay to the digests players saw: fork at one computed while storage was down.
            var during = reported[id].Keys.Where(t => t > outageStart[id] && t < outageEnd[id]).Max();
            var fork = await again.Http.PostAsJsonAsync($"/api/worlds/{id}/fork", new { atTick = during });
            Assert.Equal(HttpStatusCode.Created, fork.StatusCode);
            Assert.Equal(reported[id][during], (await fork.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stateDigest").GetString());
        }
    }

    private static double Errors(string metrics) =>
        PrometheusText.Sum(metrics, MetricNames.StorageErrorsTotal, "reason=\"journal\"")
        + PrometheusText.Sum(metrics, MetricNames.StorageErrorsTotal, "reason=\"snapshot\"")
        + PrometheusText.Sum(metrics, MetricNames.StorageErrorsTotal, "reason=\"head\"");

    private static async Task<string> Create(SiloProcess silo, object body)
    {
        var response = await silo.Http.PostAsJsonAsync("/api/worlds", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
