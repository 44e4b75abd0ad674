using Microsoft.Extensions.DependencyInjection;
using WorldCluster.Abstractions;
using WorldCluster.Models.Reference;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldCluster.Runtime.Worlds;
using WorldId = WorldCluster.Contracts.WorldId;

namespace WorldCluster.Runtime.Tests.Worlds;

/// <summary>
/// With the defaults (CPU, no budget) a world whose state is below <see cref="WorldOptions.ResidentStateMinBytes"/> steps on
/// host bytes: the batcher holds nothing between its ticks, and every digest equals the resident path's.
/// </summary>
public sealed class SmallStateHostPathTests(WorldClusterFixture resident) : IClassFixture<WorldClusterFixture>, IAsyncLifetime
{
    private InProcessWorldCluster _cluster = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() => _cluster = await InProcessWorldCluster.StartReferenceWorldAsync("small-state");

    /// <inheritdoc />
    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_two_kilobyte_world_steps_on_host_bytes_with_the_digests_the_resident_path_gives()
    {
        Assert.True(ReferenceWorld.ReferenceManifest.StoredState.Sum(s => s.ByteCount) < new WorldOptions().ResidentStateMinBytes);
        var id = WorldId.New();
        var host = _cluster.Client.GetGrain<IWorldGrain>(id);
        var kept = resident.Client.GetGrain<IWorldGrain>(WorldId.New());
        await host.CreateAsync(new CreateWorldRequest("reference-world", 21, 2));
        await kept.CreateAsync(new CreateWorldRequest("reference-world", 21, 2));
        var batchers = _cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<StepBatchers>();
        Assert.True(batchers.TryGet("reference-world", out var batcher));

        for (var t = 0; t < 5; t++)
        {
            int[] actions = [1 + (t % 4), 1 + ((t + 3) % 4)];
            var a = await host.StepAsync(new StepRequest(actions));
            var b = await kept.StepAsync(new StepRequest(actions));
            Assert.Equal(b.Tick, a.Tick);
            Assert.Equal(b.StateDigest, a.StateDigest);
            Assert.Null(await batcher.ReadStateAsync(id, a.Tick));
        }
        Assert.Equal(0, batcher.ResidentWorlds);
    }
}
