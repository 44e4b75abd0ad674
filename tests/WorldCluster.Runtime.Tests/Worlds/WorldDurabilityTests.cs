using WorldCluster.Abstractions;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldId = WorldCluster.Contracts.WorldId;

namespace WorldCluster.Runtime.Tests.Worlds;

/// <summary>
/// Worlds come back exactly: from snapshot + journal replay (a replayable model) and from journaled states (a model
/// that is not batch-invariant), across snapshot boundaries, and report every acknowledged tick as durable.
/// </summary>
public sealed class WorldDurabilityTests(WorldClusterFixture fixture) : IClassFixture<WorldClusterFixture>
{
    [Theory]
    [InlineData("reference-world", 3)]
    [InlineData("reference-world", 17)]
    [InlineData("linear-test", 3)]
    [InlineData("linear-test", 17)]
    public async Task A_world_reactivates_at_its_last_tick_with_the_same_digest(string model, int ticks)
    {
        var world = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        var created = await world.CreateAsync(new CreateWorldRequest(model, 99, null));
        var slots = created.Players;
        StepResult last = new(0, created.StateDigest, 0);
        for (var t = 0; t < ticks; t++)
        {
            last = await world.StepAsync(new StepRequest([.. Enumerable.Range(0, slots).Select(p => (t + p) % 4)]));
            Assert.Equal(last.Tick, last.DurableTick);
        }
        var frame = await world.GetFrameAsync();

        await fixture.Cluster.DeactivateAsync(world);
        await fixture.Cluster.WaitForDeactivationAsync(world);
        var back = await world.GetAsync();

        Assert.Equal(ticks, back.Tick);
        Assert.Equal(last.StateDigest, back.StateDigest);
        Assert.Equal(frame.Pixels, (await world.GetFrameAsync()).Pixels);
    }

    [Fact]
    public async Task A_recovered_world_continues_exactly_like_one_that_never_stopped()
    {
        var stopped = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        var steady = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        await stopped.CreateAsync(new CreateWorldRequest("reference-world", 5, 2));
        await steady.CreateAsync(new CreateWorldRequest("reference-world", 5, 2));
        for (var t = 0; t < 20; t++)
        {
            int[] actions = [1 + (t % 5), 1 + ((t * 3) % 5)];
            var a = await stopped.StepAsync(new StepRequest(actions));
            var b = await steady.StepAsync(new StepRequest(actions));
            Assert.Equal(b.StateDigest, a.StateDigest);
            if (t % 6 == 5)
            {
                await fixture.Cluster.DeactivateAsync(stopped);
                await fixture.Cluster.WaitForDeactivationAsync(stopped);
            }
        }
    }

    [Fact]
    public async Task A_journal_ending_in_a_torn_append_recovers_every_acknowledged_tick_and_goes_on()
    {
        var world = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        var id = (await world.CreateAsync(new CreateWorldRequest("reference-world", 31, 1))).Id;
        StepResult last = null!;
        for (var t = 0; t < 3; t++)
        {
            last = await world.StepAsync(new StepRequest([1 + t]));
        }
        await fixture.Cluster.DeactivateAsync(world);
        await fixture.Cluster.WaitForDeactivationAsync(world);
        // A crash in the middle of the next append: a record header promising more bytes than were written.
        var segment = Directory.GetFiles(Path.Combine(fixture.DataRoot, "worlds", id, "journal")).Single();
        await File.AppendAllBytesAsync(segment, [200, 0, 0, 0, 1, 2, 3, 4, 5]);

        var back = await world.GetAsync();
        Assert.Equal(last.Tick, back.Tick);
        Assert.Equal(last.StateDigest, back.StateDigest);

        var next = await world.StepAsync(new StepRequest([4]));
        await fixture.Cluster.DeactivateAsync(world);
        await fixture.Cluster.WaitForDeactivationAsync(world);
        Assert.Equal(next.StateDigest, (await world.GetAsync()).StateDigest);
    }

    [Fact]
    public async Task A_room_left_long_ago_looks_as_it_was_left_through_scene_memory_even_after_reactivation()
    {
        var world = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        await world.CreateAsync(new CreateWorldRequest("memory-probe", 1, null));
        await world.StepAsync(new StepRequest([2])); // paint room 0 with the clock (1)
        Assert.Equal(1, (await world.GetFrameAsync()).Pixels[0]);
        for (var r = 1; r < MemoryProbeModel.Rooms; r++)
        {
            await world.StepAsync(new StepRequest([1])); // through the other rooms, which show nothing
            Assert.Equal(0, (await world.GetFrameAsync()).Pixels[0]);
        }
        for (var t = 0; t < 120; t++)
        {
            await world.StepAsync(new StepRequest([0]));
        }
        await fixture.Cluster.DeactivateAsync(world);
        await fixture.Cluster.WaitForDeactivationAsync(world);

        await world.StepAsync(new StepRequest([1])); // back to room 0, 127 ticks later, in a new activation

        Assert.Equal(1, (await world.GetFrameAsync()).Pixels[0]);
    }
}
