using Microsoft.Extensions.DependencyInjection;
using WorldCluster.Abstractions;
using WorldCluster.Contracts;
using WorldCluster.Runtime.Placement;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Worlds;

/// <summary>
/// A model silo that joins gets worlds from the one holding them all: half the difference moves, each world keeps its
/// tick and digest, a ticking world its tick sequence, and a round on a balanced cluster moves nothing.
/// </summary>
public sealed class RebalancingTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private InProcessWorldCluster _cluster = null!;

    // Silo_0 is the gateway the client talks to; Silo_1 and any silo started later serve the reference world. Rounds are
    // run by the test, not by the timer, so that each one is observed.
    public async Task InitializeAsync() => _cluster = await InProcessWorldCluster.StartGatewayAndModelSilosAsync("rebalance", 2,
        services => services.Configure<Runtime.Worlds.WorldOptions>(o => o.RebalanceInterval = TimeSpan.Zero));

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_joining_model_silo_takes_half_the_worlds_each_exactly_as_it_was()
    {
        var ticking = await CreateWorld(seed: 40, tickHz: 20);
        var frames = new FrameLog();
        await ticking.SubscribeAsync(_cluster.Client.CreateObjectReference<IWorldObserver>(frames));
        var player = await ticking.JoinAsync(new JoinRequest(ParticipantRole.Player));
        var worlds = new List<IWorldGrain> { ticking };
        for (var i = 0; i < 11; i++)
        {
            var world = await CreateWorld(seed: 41 + i, tickHz: 0);
            await world.StepAsync(new StepRequest([1 + (i % 4)]));
            worlds.Add(world);
        }
        var first = _cluster.Cluster.Silos.Single(s => s.Name == "Silo_1");
        Assert.All(await Task.WhenAll(worlds.Select(w => w.GetAsync())), w => Assert.Equal(first.SiloAddress.ToString(), w.Silo));
        var onDemand = worlds.Skip(1).ToList();
        var before = await Task.WhenAll(onDemand.Select(w => w.GetAsync()));

        var joined = await _cluster.Cluster.StartAdditionalSiloAsync();
        var rebalancer = first.ServiceProvider.GetRequiredService<WorldRebalancer>();
        var view = first.ServiceProvider.GetRequiredService<ClusterLoadView>();
        await WaitUntil(() => view.Loads.ContainsKey(joined.SiloAddress), "the joined silo's first load report");

        Assert.Equal(6, await rebalancer.RebalanceOnceAsync());

        var after = await Task.WhenAll(onDemand.Select(w => w.GetAsync()));
        var moving = await ticking.GetAsync();
        var hosts = after.Select(w => w.Silo ?? "").Append(moving.Silo ?? "").GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(6, hosts[first.SiloAddress.ToString()]);
        Assert.Equal(6, hosts[joined.SiloAddress.ToString()]);
        Assert.Equal(before.Select(w => (w.Id, w.Tick, w.StateDigest)), after.Select(w => (w.Id, w.Tick, w.StateDigest)));

        // Balanced now: once the reports show it, a round moves nothing.
        await WaitUntil(() => view.Loads.TryGetValue(joined.SiloAddress, out var load) && load.ActiveWorlds == 6, "the joined silo reporting its six worlds");
        Assert.Equal(0, await rebalancer.RebalanceOnceAsync());

        // The ticking world, wherever it is now, ticks on with no tick lost or repeated.
        await ticking.ActAsync(player.SessionId, 3);
        var now = (await ticking.GetAsync()).Tick;
        await frames.WaitFor(u => u.Tick >= now + 5, Deadline);
        await ticking.LeaveAsync(player.SessionId);
        var seen = frames.Received.Select(u => u.Tick).Distinct().Order().ToList();
        Assert.Equal(Enumerable.Range(1, seen.Count).Select(t => (long)t), seen);
    }

    private async Task<IWorldGrain> CreateWorld(int seed, int tickHz)
    {
        var world = _cluster.Client.GetGrain<IWorldGrain>(WorldId.New());
        RequestContext.Set(ModelAwarePlacement.ModelKey, "reference-world");
        await world.CreateAsync(new CreateWorldRequest("reference-world", seed, 1, tickHz));
        RequestContext.Clear();
        return world;
    }

    // The load reports arrive once a second: wait for the one the round needs, with a deadline.
    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"not within {Deadline}: {what}");
            }
            await Task.Delay(50, CancellationToken.None);
        }
    }
}
