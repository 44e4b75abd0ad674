using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using WorldCluster.Models.Reference;
using WorldCluster.Runtime.Hosting;
using WorldCluster.Runtime.Placement;

namespace WorldCluster.Runtime.Tests.Fixtures;

/// <summary>
/// An in-process Orleans test cluster whose silos keep worlds under one temporary folder: deployed by
/// <see cref="StartAsync"/>; on dispose its silos stop and the folder is deleted.
/// </summary>
public sealed class InProcessWorldCluster : IAsyncDisposable
{
    private InProcessWorldCluster(string dataRoot, InProcessTestCluster cluster)
    {
        DataRoot = dataRoot;
        Cluster = cluster;
    }

    /// <summary>The temporary folder the silos' stores share.</summary>
    public string DataRoot { get; }

    /// <summary>The running cluster.</summary>
    public InProcessTestCluster Cluster { get; }

    /// <summary>A client of the cluster.</summary>
    public IClusterClient Client => Cluster.Client;

    /// <summary>Builds and deploys a cluster of <paramref name="silos"/> silos over a new temporary folder.</summary>
    /// <param name="name">What the test calls the cluster: part of the folder's name.</param>
    /// <param name="silos">How many silos to start.</param>
    /// <param name="configure">Configures the silos, given the builder and the folder to keep worlds in.</param>
    public static async Task<InProcessWorldCluster> StartAsync(string name, short silos, Action<InProcessTestClusterBuilder, string> configure)
    {
        var dataRoot = Directory.CreateTempSubdirectory($"worldcluster-{name}-").FullName;
        var builder = new InProcessTestClusterBuilder(silos);
        configure(builder, dataRoot);
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new InProcessWorldCluster(dataRoot, cluster);
    }

    /// <summary>
    /// One silo serving the reference world with a 1 ms queue delay and the file store, then <paramref name="configure"/>
    /// on its services (budgets, world options).
    /// </summary>
    public static Task<InProcessWorldCluster> StartReferenceWorldAsync(string name, Action<IServiceCollection>? configure = null) =>
        StartAsync(name, 1, (builder, root) =>
        {
            builder.ConfigureSilo((_, silo) => silo.UseWorldClusterRole(SiloRole.Both, ["reference-world"]));
            builder.ConfigureSiloHost((_, host) =>
            {
                host.Services
                    .AddWorldClusterRuntime(o => o.MaxQueueDelay = TimeSpan.FromMilliseconds(1))
                    .AddWorldClusterModel<ReferenceWorld>()
                    .AddWorldClusterLocalFileStore(root);
                configure?.Invoke(host.Services);
            });
        });

    /// <summary>
    /// Silo_0 a gateway (the silo the client talks to), every other silo — and any started later — a model silo serving the
    /// reference world with a 1 ms queue delay; all over the file store; then <paramref name="configure"/> on every silo's services.
    /// </summary>
    public static Task<InProcessWorldCluster> StartGatewayAndModelSilosAsync(string name, short silos, Action<IServiceCollection>? configure = null) =>
        StartAsync(name, silos, (builder, root) =>
        {
            builder.ConfigureSilo((options, silo) =>
                silo.UseWorldClusterRole(options.SiloName == "Silo_0" ? SiloRole.Gateway : SiloRole.Model, options.SiloName == "Silo_0" ? [] : ["reference-world"]));
            builder.ConfigureSiloHost((options, host) =>
            {
                host.Services.AddWorldClusterRuntime(o => o.MaxQueueDelay = TimeSpan.FromMilliseconds(1)).AddWorldClusterLocalFileStore(root);
                if (options.SiloName != "Silo_0")
                {
                    host.Services.AddWorldClusterModel<ReferenceWorld>();
                }
                configure?.Invoke(host.Services);
            });
        });

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Directory.Delete(DataRoot, recursive: true);
    }
}
