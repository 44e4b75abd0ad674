using Microsoft.Extensions.DependencyInjection;
using WorldCluster.Abstractions;
using WorldCluster.Contracts;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Reference;
using WorldCluster.Runtime.Hosting;
using WorldCluster.Runtime.Placement;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Worlds;

/// <summary>
/// Live migration in a cluster of a gateway-only silo, two silos serving the reference world and one serving only the
/// GEMM test model: a world moves at a tick boundary with its state, no tick lost or repeated, and bad targets are refused.
/// </summary>
public sealed class WorldMigrationTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // Silo index → role and models.
    private static readonly (string Role, string[] Models)[] Layout =
    [
        (SiloRole.Gateway, []),
        (SiloRole.Model, ["reference-world"]),
        (SiloRole.Model, ["reference-world"]),
        (SiloRole.Model, ["linear-test"]),
    ];

    private InProcessWorldCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await InProcessWorldCluster.StartAsync("migration", (short)Layout.Length, (builder, root) =>
    {
        builder.ConfigureSilo((options, silo) =>
        {
            var (role, models) = Layout[Index(options.SiloName)];
            silo.UseWorldClusterRole(role, models);
        });
        builder.ConfigureSiloHost((options, host) =>
        {
            var (_, models) = Layout[Index(options.SiloName)];
            host.Services.AddWorldClusterRuntime(o => o.MaxQueueDelay = TimeSpan.FromMilliseconds(1)).AddWorldClusterLocalFileStore(root);
            if (models.Contains("reference-world"))
            {
                host.Services.AddWorldClusterModel<ReferenceWorld>();
            }
            if (models.Contains("linear-test"))
            {
                host.Services.AddSingleton<IWorldModel>(_ => new LinearTestModel([]));
            }
        });
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_migrated_world_keeps_its_tick_and_digest_and_steps_on_exactly_like_one_that_never_moved()
    {
        var (world, id) = await CreateWorld(seed: 77, players: 2, tickHz: 0);
        var (reference, _) = await CreateWorld(seed: 77, players: 2, tickHz: 0);
        for (var i = 0; i < 9; i++)
        {
            await StepBoth(world, reference, i);
        }
        var before = await world.GetAsync();
        var target = OtherReferenceSilo(before.Silo);

        var left = await world.MigrateAsync(new MigrateRequest(target.ToString()));
        var after = await world.GetAsync();

        Assert.Equal(before.Silo, left);
        Assert.Equal(target.ToString(), after.Silo);
        Assert.Equal((before.Tick, before.StateDigest), (after.Tick, after.StateDigest));
        Assert.Equal(after.Tick, after.DurableTick);
        await WaitUntilGone(id, SiloOf(before.Silo));
        Assert.Equal(target, HostOf(id));

        for (var i = 9; i < 16; i++)
        {
            await StepBoth(world, reference, i);
        }
        var moved = await world.GetAsync();
        Assert.Equal(16, moved.Tick);
        Assert.Equal((await reference.GetAsync()).StateDigest, moved.StateDigest);

        // The journal the new activation wrote after its fence recovers the same world.
        await _cluster.Cluster.DeactivateAsync(world);
        await _cluster.Cluster.WaitForDeactivationAsync(world);
        var recovered = await world.GetAsync();
        Assert.Equal((moved.Tick, moved.StateDigest), (recovered.Tick, recovered.StateDigest));
    }

    [Fact]
    public async Task Without_a_target_placement_moves_the_world_to_another_silo_serving_its_model()
    {
        var (world, _) = await CreateWorld(seed: 5, players: 1, tickHz: 0);
        await world.StepAsync(new StepRequest([1]));
        var before = await world.GetAsync();

        await world.MigrateAsync(new MigrateRequest(null));
        var after = await world.GetAsync();

        Assert.Equal(OtherReferenceSilo(before.Silo).ToString(), after.Silo);
        Assert.Equal((before.Tick, before.StateDigest), (after.Tick, after.StateDigest));
    }

    [Fact]
    public async Task Bad_targets_are_refused_and_the_world_stays_as_it_was()
    {
        var (world, _) = await CreateWorld(seed: 6, players: 1, tickHz: 0);
        await world.StepAsync(new StepRequest([2]));
        var before = await world.GetAsync();

        var gateway = await Refused(world, _cluster.Cluster.Silos[0].SiloAddress.ToString());
        var otherModel = await Refused(world, _cluster.Cluster.Silos[3].SiloAddress.ToString());
        var same = await Refused(world, before.Silo);
        var unknown = await Refused(world, "S10.9.8.7:11111:1");

        Assert.Equal(WorldErrorKind.Conflict, gateway.Kind);
        Assert.Contains("gateway-only", gateway.Message, StringComparison.Ordinal);
        Assert.Equal(WorldErrorKind.Conflict, otherModel.Kind);
        Assert.Contains("does not serve model reference-world", otherModel.Message, StringComparison.Ordinal);
        Assert.Equal(WorldErrorKind.Conflict, same.Kind);
        Assert.Equal(WorldErrorKind.BadRequest, unknown.Kind);
        var after = await world.GetAsync();
        Assert.Equal((before.Silo, before.Tick, before.StateDigest), (after.Silo, after.Tick, after.StateDigest));
    }

    [Fact]
    public async Task A_real_time_world_migrated_while_ticking_continues_its_tick_sequence_without_a_gap_or_a_repeat()
    {
        var (world, _) = await CreateWorld(seed: 1234, players: 1, tickHz: 20);
        var frames = new FrameLog();
        await world.SubscribeAsync(_cluster.Client.CreateObjectReference<IWorldObserver>(frames));
        var player = await world.JoinAsync(new JoinRequest(ParticipantRole.Player));
        await frames.WaitFor(u => u.Tick >= 5, Deadline);
        var before = await world.GetAsync();

        await world.MigrateAsync(new MigrateRequest(OtherReferenceSilo(before.Silo).ToString()));
        var after = await world.GetAsync();
        var movedAt = after.Tick;
        await world.ActAsync(player.SessionId, 3); // the player's session moved with the world
        await frames.WaitFor(u => u.Tick >= movedAt + 10, Deadline);
        await world.LeaveAsync(player.SessionId);
        var stopped = await world.GetAsync();

        Assert.NotEqual(before.Silo, after.Silo);
        Assert.True(after.Ticking);
        Assert.Equal(after.Tick, after.DurableTick); // every tick computed before the move was durable when it moved
        var seen = frames.Received.OrderBy(u => u.Tick).ToList();
        Assert.Equal(Enumerable.Range(1, seen.Count).Select(t => (long)t), seen.Select(u => u.Tick)); // each tick once, none missing
        Assert.True(seen[^1].Tick <= stopped.Tick);
        for (var i = 1; i < seen.Count; i++)
        {
            Assert.True(seen[i].DurableTick >= seen[i - 1].DurableTick, $"durable tick went back at tick {seen[i].Tick}");
        }
        Assert.Contains(seen, u => u.Tick > movedAt && u.Actions[0] == 3);

        // Each tick was computed from the one before with the actions it carries, across the move: an on-demand twin agrees.
        var (twin, _) = await CreateWorld(seed: 1234, players: 1, tickHz: 0);
        foreach (var update in seen)
        {
            var step = await twin.StepAsync(new StepRequest([.. update.Actions]));
            Assert.Equal(update.StateDigest, step.StateDigest);
        }
    }

    private static async Task StepBoth(IWorldGrain world, IWorldGrain reference, int i)
    {
        int[] actions = [i % 5, (i * 3) % 5];
        var a = await world.StepAsync(new StepRequest(actions));
        var b = await reference.StepAsync(new StepRequest(actions));
        Assert.Equal(b.StateDigest, a.StateDigest);
    }

    private static async Task<WorldRequestException> Refused(IWorldGrain world, string? silo) =>
        await Assert.ThrowsAsync<WorldRequestException>(() => world.MigrateAsync(new MigrateRequest(silo)));

    private async Task<(IWorldGrain World, string Id)> CreateWorld(int seed, int players, int tickHz)
    {
        var id = WorldId.New();
        var world = _cluster.Client.GetGrain<IWorldGrain>(id);
        RequestContext.Set(ModelAwarePlacement.ModelKey, "reference-world");
        await world.CreateAsync(new CreateWorldRequest("reference-world", seed, players, tickHz));
        RequestContext.Clear();
        return (world, id);
    }

    private SiloAddress OtherReferenceSilo(string? silo) =>
        new[] { _cluster.Cluster.Silos[1].SiloAddress, _cluster.Cluster.Silos[2].SiloAddress }.Single(s => s.ToString() != silo);

    private SiloAddress SiloOf(string? silo) => _cluster.Cluster.Silos.Select(s => s.SiloAddress).Single(s => s.ToString() == silo);

    private SiloAddress? HostOf(string worldId) =>
        _cluster.Cluster.TryGetGrainContext(_cluster.Client.GetGrain<IWorldGrain>(worldId).GetGrainId(), out var context) && context is not null
            ? context.Address.SiloAddress
            : null;

    // The old activation finishes deactivating a moment after the new one answers: wait for it, with a deadline.
    private async Task WaitUntilGone(string worldId, SiloAddress silo)
    {
        var grainId = _cluster.Client.GetGrain<IWorldGrain>(worldId).GetGrainId();
        var management = _cluster.Client.GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow + Deadline;
        while ((await management.GetDetailedGrainStatistics(null, [silo])).Any(s => s.GrainId == grainId))
        {
            Assert.True(DateTime.UtcNow < deadline, $"world {worldId} is still active on {silo}");
            await Task.Delay(50);
        }
    }

    // The in-process test cluster names its silos Silo_0, Silo_1, … in start order.
    private static int Index(string siloName) =>
        siloName.StartsWith("Silo_", StringComparison.Ordinal)
            ? int.Parse(siloName["Silo_".Length..], System.Globalization.CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"unexpected silo name {siloName}");
}
