using Microsoft.Extensions.DependencyInjection;
using WorldCluster.Abstractions;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldId = WorldCluster.Contracts.WorldId;

namespace WorldCluster.Runtime.Tests.Worlds;

/// <summary>A served world's state stays with its model's batcher between ticks, and comes back exactly where it is needed.</summary>
public sealed class ResidentWorldTests(WorldClusterFixture fixture) : IClassFixture<WorldClusterFixture>
{
    [Fact]
    public async Task A_world_state_stays_with_the_batcher_between_ticks_and_goes_when_the_world_deactivates()
    {
        var id = WorldId.New();
        var world = fixture.Client.GetGrain<IWorldGrain>(id);
        var created = await world.CreateAsync(new CreateWorldRequest("reference-world", 3, 2));
        var batcher = Batcher("reference-world");
        Assert.Null(await batcher.ReadStateAsync(id, 0));

        StepResult last = new(0, created.StateDigest, 0);
        for (var t = 0; t < WorldClusterFixture.SnapshotEvery + 3; t++)
        {
            last = await world.StepAsync(new StepRequest([1 + (t % 4), 1 + ((t + 1) % 4)]));
        }

        // The digest each step reported is the state the batcher holds, hashed as a host copy would be.
        var held = await batcher.ReadStateAsync(id, last.Tick);
        Assert.NotNull(held);
        Assert.Equal(last.StateDigest, StateDigest.Compute(batcher.Manifest.Id, last.Tick, 2, held));
        Assert.Null(await batcher.ReadStateAsync(id, last.Tick - 1));

        await fixture.Cluster.DeactivateAsync(world);
        await fixture.Cluster.WaitForDeactivationAsync(world);
        Assert.Null(await batcher.ReadStateAsync(id, last.Tick));

        var back = await world.GetAsync();
        Assert.Equal(last.Tick, back.Tick);
        Assert.Equal(last.StateDigest, back.StateDigest);
    }

    [Fact]
    public async Task A_fork_and_a_flush_at_the_current_tick_copy_the_held_state_exactly()
    {
        var world = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        await world.CreateAsync(new CreateWorldRequest("reference-world", 8, 2));
        StepResult last = default!;
        for (var t = 0; t < 4; t++)
        {
            last = await world.StepAsync(new StepRequest([2, 3]));
        }

        var forkId = WorldId.New();
        var fork = await world.ForkAsync(new ForkRequest(forkId, null));
        var flushed = await world.FlushAsync();

        Assert.Equal(last.StateDigest, fork.StateDigest);
        Assert.Equal(last.StateDigest, flushed.StateDigest);
        var next = await world.StepAsync(new StepRequest([1, 4]));
        var forkNext = await fixture.Client.GetGrain<IWorldGrain>(forkId).StepAsync(new StepRequest([1, 4]));
        Assert.Equal(next.StateDigest, forkNext.StateDigest);
    }

    [Fact]
    public async Task Deleting_a_world_frees_what_its_batcher_held()
    {
        var id = WorldId.New();
        var world = fixture.Client.GetGrain<IWorldGrain>(id);
        await world.CreateAsync(new CreateWorldRequest("reference-world", 4, 2));
        var step = await world.StepAsync(new StepRequest([1, 1]));
        var batcher = Batcher("reference-world");
        Assert.NotNull(await batcher.ReadStateAsync(id, step.Tick));

        await world.DeleteAsync();

        Assert.Null(await batcher.ReadStateAsync(id, step.Tick));
    }

    private StepBatcher Batcher(string model)
    {
        var batchers = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<StepBatchers>();
        Assert.True(batchers.TryGet(model, out var batcher));
        return batcher;
    }
}
