using Microsoft.Extensions.DependencyInjection;
using WorldCluster.Abstractions;
using WorldCluster.Models.Reference;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Storage;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldId = WorldCluster.Contracts.WorldId;

namespace WorldCluster.Runtime.Tests.Worlds;

/// <summary>A spilled world that nobody steps deactivates: its state goes to storage, leaves memory, and comes back exactly.</summary>
public sealed class SpillToStorageTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private InProcessWorldCluster _cluster = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() => _cluster = await InProcessWorldCluster.StartReferenceWorldAsync("spill", services =>
        // Room for one world; any world not stepped in the last tick of the clock counts as idle.
        services.Configure<ResidentStateOptions>(o =>
        {
            o.ResidentStateBudgetBytes = ReferenceWorld.ReferenceManifest.StoredState.Sum(s => s.ByteCount);
            o.AdmissionWindow = TimeSpan.FromTicks(1);
        }));

    /// <inheritdoc />
    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task An_idle_spilled_world_is_snapshotted_freed_and_comes_back_with_its_digest()
    {
        var idleId = WorldId.New();
        var idle = _cluster.Client.GetGrain<IWorldGrain>(idleId);
        var busy = _cluster.Client.GetGrain<IWorldGrain>(WorldId.New());
        await idle.CreateAsync(new CreateWorldRequest("reference-world", 1, 2));
        await busy.CreateAsync(new CreateWorldRequest("reference-world", 2, 2));
        var last = await idle.StepAsync(new StepRequest([1, 2]));
        var batcher = Batcher();
        Assert.NotNull(await batcher.ReadStateAsync(idleId, last.Tick));

        // The busy world's step needs the only room: the idle world is spilled, told, and goes.
        await busy.StepAsync(new StepRequest([2, 1]));
        var gone = DateTime.UtcNow + Deadline;
        while (await batcher.ReadStateAsync(idleId, last.Tick) is not null)
        {
            Assert.True(DateTime.UtcNow < gone, "the spilled idle world never left memory");
            await Task.Delay(10);
        }

        var store = _cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<IWorldStore>();
        Assert.NotNull(await store.ReadHeadAsync(idleId));
        var back = await idle.GetAsync();
        Assert.Equal(last.Tick, back.Tick);
        Assert.Equal(last.StateDigest, back.StateDigest);
        Assert.Equal(last.Tick + 1, (await idle.StepAsync(new StepRequest([1, 1]))).Tick);
    }

    [Fact]
    public async Task A_new_world_under_a_budget_waits_in_storage_not_in_memory_and_comes_back_as_created()
    {
        var metrics = _cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<WorldClusterMetrics>();
        var world = _cluster.Client.GetGrain<IWorldGrain>(WorldId.New());

        var created = await world.CreateAsync(new CreateWorldRequest("reference-world", 9, 2));

        // Its state sits outside the budget until a first step, so the activation goes once the creation is stored.
        var gone = DateTime.UtcNow + Deadline;
        while (metrics.ActiveWorlds.WithLabels("reference-world").Value > 0)
        {
            Assert.True(DateTime.UtcNow < gone, "the new world stayed active");
            await Task.Delay(10);
        }
        var back = await world.GetAsync();
        Assert.Equal(0, back.Tick);
        Assert.Equal(created.StateDigest, back.StateDigest);
        Assert.Equal(1, (await world.StepAsync(new StepRequest([1, 1]))).Tick);
    }

    private StepBatcher Batcher()
    {
        var batchers = _cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<StepBatchers>();
        Assert.True(batchers.TryGet("reference-world", out var batcher));
        return batcher;
    }
}
