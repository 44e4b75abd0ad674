using Microsoft.Extensions.DependencyInjection;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Packages;
using WorldCluster.Models.Tests.Packages;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Hosting;
using WorldCluster.Runtime.Placement;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Models;

/// <summary>A one-silo in-process cluster serving one <see cref="PoisonTestModel"/> package named <c>poison</c>, over local files.</summary>
internal sealed class PoisonWorldCluster : IAsyncDisposable
{
    private readonly PackageFolders _folders;
    private readonly InProcessWorldCluster _cluster;

    private PoisonWorldCluster(PackageFolders folders, InProcessWorldCluster cluster) => (_folders, _cluster) = (folders, cluster);

    /// <summary>A client of the cluster.</summary>
    public IClusterClient Client => _cluster.Client;

    /// <summary>Starts the cluster; <paramref name="weights"/> is the poison model's mode, <paramref name="batching"/> the batcher's settings.</summary>
    public static async Task<PoisonWorldCluster> StartAsync(string name, Action<StepBatcherOptions> batching, string weights = "ok", bool batchInvariant = true)
    {
        var folders = new PackageFolders();
        var package = ModelPackageReader.Read(folders.WritePoison("poison", "poison", weights: weights, batchInvariant: batchInvariant));
        var cluster = await InProcessWorldCluster.StartAsync(name, 1, (builder, data) =>
        {
            builder.ConfigureSilo((_, silo) => silo.UseWorldClusterRole(SiloRole.Both, ["poison", "poison@1.0.0"]));
            builder.ConfigureSiloHost((_, host) => host.Services
                .AddWorldClusterRuntime(batching)
                .AddWorldClusterLocalFileStore(data)
                .AddSingleton<IWorldModel>(_ => ModelPackageLoader.Load(package, PoisonTestModel.Register(new ModelArchitectures()))));
        });
        return new PoisonWorldCluster(folders, cluster);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _folders.Dispose();
    }
}
