using Microsoft.Extensions.DependencyInjection;
using WorldCluster.Abstractions;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldCluster.Runtime.Worlds;
using WorldId = WorldCluster.Contracts.WorldId;

namespace WorldCluster.Runtime.Tests.Worlds;

/// <summary>A deactivating world snapshots only after enough ticks since its latest snapshot; with fewer it replays them and comes back exactly.</summary>
public sealed class DeactivationSnapshotTests : IAsyncLifetime
{
    private const int MinTicks = 4;
    private InProcessWorldCluster _cluster = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() => _cluster = await InProcessWorldCluster.StartReferenceWorldAsync("deactivation-snapshot", services =>
        services.Configure<WorldOptions>(o => o.SnapshotOnDeactivateMinTicks = MinTicks));

    /// <inheritdoc />
    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Theory]
    [InlineData(MinTicks - 1, 0)]
    [InlineData(MinTicks, 1)]
    public async Task A_world_deactivated_after_some_ticks_snapshots_only_past_the_minimum_and_comes_back_with_its_digest(int ticks, int snapshots)
    {
        var metrics = _cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<WorldClusterMetrics>();
        var world = _cluster.Client.GetGrain<IWorldGrain>(WorldId.New());
        await world.CreateAsync(new CreateWorldRequest("reference-world", 40 + ticks, 2));
        StepResult last = default!;
        for (var t = 0; t < ticks; t++)
        {
            last = await world.StepAsync(new StepRequest([1 + (t % 4), 1 + ((t + 2) % 4)]));
        }
        var before = metrics.SnapshotSeconds.Count;

        await _cluster.Cluster.DeactivateAsync(world);
        await _cluster.Cluster.WaitForDeactivationAsync(world);

        Assert.Equal(snapshots, metrics.SnapshotSeconds.Count - before);
        var back = await world.GetAsync();
        Assert.Equal(last.Tick, back.Tick);
        Assert.Equal(last.StateDigest, back.StateDigest);
    }
}
