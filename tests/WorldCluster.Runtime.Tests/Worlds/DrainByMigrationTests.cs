using WorldCluster.Abstractions;
using WorldCluster.Contracts;
using WorldCluster.Runtime.Placement;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Worlds;

/// <summary>A model silo that stops moves its worlds to the other model silo first: a ticking world keeps its tick sequence, an on-demand one its digest.</summary>
public sealed class DrainByMigrationTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private InProcessWorldCluster _cluster = null!;

    // Silo_0 is the gateway the client talks to; Silo_1 and Silo_2 serve the reference world.
    public async Task InitializeAsync() => _cluster = await InProcessWorldCluster.StartGatewayAndModelSilosAsync("drain", 3);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Stopping_a_model_silo_moves_its_worlds_to_the_other_without_a_lost_or_repeated_tick()
    {
        var ticking = await CreateWorld(seed: 31, tickHz: 20);
        var frames = new FrameLog();
        await ticking.SubscribeAsync(_cluster.Client.CreateObjectReference<IWorldObserver>(frames));
        var player = await ticking.JoinAsync(new JoinRequest(ParticipantRole.Player));
        await frames.WaitFor(u => u.Tick >= 5, Deadline);
        var silo = (await ticking.GetAsync()).Silo;
        // An on-demand world on the same silo, stepped a few times.
        var onDemand = await CreateWorld(seed: 32, tickHz: 0);
        if ((await onDemand.GetAsync()).Silo != silo)
        {
            await onDemand.MigrateAsync(new MigrateRequest(silo));
        }
        for (var t = 0; t < 6; t++)
        {
            await onDemand.StepAsync(new StepRequest([1 + (t % 4)]));
        }
        var before = await onDemand.GetAsync();

        await _cluster.Cluster.StopSiloAsync(_cluster.Cluster.Silos.Single(s => s.SiloAddress.ToString() == silo));

        var after = await onDemand.GetAsync();
        Assert.NotEqual(silo, after.Silo);
        Assert.Equal((before.Tick, before.StateDigest), (after.Tick, after.StateDigest));
        var moved = await ticking.GetAsync();
        Assert.NotEqual(silo, moved.Silo);
        Assert.True(moved.Ticking, "the ticking world stopped ticking when it moved");
        await ticking.ActAsync(player.SessionId, 3);
        await frames.WaitFor(u => u.Tick >= moved.Tick + 5, Deadline);
        await ticking.LeaveAsync(player.SessionId);
        var seen = frames.Received.OrderBy(u => u.Tick).ToList();
        Assert.Equal(Enumerable.Range(1, seen.Count).Select(t => (long)t), seen.Select(u => u.Tick));
        Assert.Contains(seen, u => u.Tick > moved.Tick && u.Actions[0] == 3);
    }

    private async Task<IWorldGrain> CreateWorld(int seed, int tickHz)
    {
        var world = _cluster.Client.GetGrain<IWorldGrain>(WorldId.New());
        RequestContext.Set(ModelAwarePlacement.ModelKey, "reference-world");
        await world.CreateAsync(new CreateWorldRequest("reference-world", seed, 1, tickHz));
        RequestContext.Clear();
        return world;
    }
}
