using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Reference;
using WorldCluster.Runtime.Hosting;
using WorldCluster.Runtime.Placement;
using WorldCluster.Runtime.Worlds;

namespace WorldCluster.Runtime.Tests.Fixtures;

/// <summary>A one-silo in-process cluster serving the reference world, a GEMM test model (not replayable), a scene-memory probe and a keys + mouse model, worlds kept as files in a temp folder.</summary>
public sealed class WorldClusterFixture : IAsyncLifetime
{
    /// <summary>Ticks between snapshots in this cluster.</summary>
    public const int SnapshotEvery = 7;

    private InProcessWorldCluster _cluster = null!;

    /// <summary>The store's root folder.</summary>
    public string DataRoot => _cluster.DataRoot;

    /// <summary>The running cluster.</summary>
    public InProcessTestCluster Cluster => _cluster.Cluster;

    /// <summary>A client of the cluster.</summary>
    public IClusterClient Client => _cluster.Client;

    /// <inheritdoc />
    public async Task InitializeAsync() => _cluster = await InProcessWorldCluster.StartAsync("grains", 1, (builder, root) =>
    {
        builder.ConfigureSilo((_, silo) => silo.UseWorldClusterRole(SiloRole.Both, ["reference-world", "linear-test", "memory-probe", "keys-mouse-test"]));
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Services
                .AddWorldClusterRuntime(o => o.MaxQueueDelay = TimeSpan.FromMilliseconds(1))
                .AddWorldClusterModel<ReferenceWorld>()
                .AddWorldClusterLocalFileStore(root)
                .AddSingleton<IWorldModel>(_ => new LinearTestModel([]))
                .AddSingleton<IWorldModel, MemoryProbeModel>()
                .AddSingleton<IWorldModel, KeysMouseTestModel>()
                .Configure<WorldOptions>(o =>
                {
                    // Small enough that tests cross snapshot boundaries; no snapshot on deactivation, so reactivation replays the journal.
                    o.SnapshotEvery = SnapshotEvery;
                    o.SnapshotOnDeactivate = false;
                    // Every state resident, small ones included: the tests here were written for that path.
                    o.ResidentStateMinBytes = 0;
                });
        });
    });

    /// <inheritdoc />
    public async Task DisposeAsync() => await _cluster.DisposeAsync();
}
