using Orleans.Configuration;
using WorldCluster.Models.Packages;
using WorldCluster.Models.Torch;
using WorldCluster.Runtime.Hosting;
using WorldCluster.Runtime.Placement;
using WorldCluster.Runtime.Worlds;

namespace WorldCluster.Silo.Hosting;

/// <summary>Wires the Orleans silo with WorldCluster's runtime, models and store.</summary>
public static class SiloHostingExtensions
{
    /// <summary>Adds a silo serving the built-in models and the model packages it finds, keeping worlds in the data folder.</summary>
    public static WebApplicationBuilder AddWorldClusterSilo(this WebApplicationBuilder builder)
    {
        var options = new SiloOptions();
        builder.Configuration.GetSection(SiloOptions.SectionName).Bind(options);
        options.Validate();
        var dataRoot = SiloOptions.DataRoot(builder.Configuration);
        options.Data = dataRoot;
        Directory.CreateDirectory(dataRoot);
        builder.Services.AddSingleton(options);
        var worlds = new WorldOptions();
        builder.Configuration.GetSection(WorldOptions.SectionName).Bind(worlds);

        ProcessTuning.ApplyThreadPoolFloor(options.MinWorkerThreads);
        ProcessTuning.CapMallocArenas(options.MallocArenas);
        TorchRuntime.Configure(options.TorchThreads > 0 ? options.TorchThreads : Environment.ProcessorCount);

        // A gateway-only silo hosts no worlds, so it loads no models.
        IReadOnlyList<string> served = [];
        if (options.Role == SiloRole.Gateway)
        {
            builder.Services.AddSingleton(new ModelLoadReport([], []));
        }
        else
        {
            served = builder.AddWorldClusterModels(dataRoot, ModelArchitectureRegistry.Create());
        }
        builder.UseOrleans(silo =>
        {
            UseClustering(silo, options, builder.Configuration.GetSection("WorldCluster:Membership"));
            silo.Configure<GrainCollectionOptions>(o => o.ClassSpecificCollectionAge[typeof(WorldGrain).FullName!] = worlds.IdleTimeout);
            silo.UseWorldClusterRole(options.Role, served);
            if (options.Directory.Kind == "distributed")
            {
                // The classic directory deactivates every activation whose entry lived on a silo that leaves, even a
                // world ticking on a silo that stays (and a deactivated world loses its sessions); this one hands its
                // partitions over instead. It is marked experimental in Orleans 10.4.
#pragma warning disable ORLEANSEXP003
                silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
                // RangeLeaseDuration (how long a dead silo's worlds wait before they may activate elsewhere) and the rest.
                silo.Configure<GrainDirectoryOptions>(builder.Configuration.GetSection("WorldCluster:Directory"));
            }
        });
        builder.Services.AddWorldClusterRuntime();
        builder.Services.AddHostedService<NativeHeapTrimmer>();
        switch (options.Store.Kind)
        {
            case "files":
                builder.Services.AddWorldClusterLocalFileStore(dataRoot, options.Store.GroupCommit);
                break;
            case "azure-blob" when !string.IsNullOrWhiteSpace(options.Store.ConnectionString):
                builder.Services.AddWorldClusterAzureBlobStore(options.Store.ConnectionString, options.Store.Container);
                break;
            default:
                throw new InvalidOperationException(
                    $"WorldCluster:Store:Kind is '{options.Store.Kind}'; use 'files', or 'azure-blob' with WorldCluster:Store:ConnectionString");
        }
        return builder;
    }

    private static void UseClustering(ISiloBuilder silo, SiloOptions options, IConfigurationSection membership)
    {
        switch (options.Clustering.Kind)
        {
            case "localhost":
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
                break;
            case "azure-table" when !string.IsNullOrWhiteSpace(options.Clustering.ConnectionString):
                var connection = options.Clustering.ConnectionString;
                silo.UseAzureStorageClustering(o => o.TableServiceClient = new Azure.Data.Tables.TableServiceClient(connection));
                silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ServiceId));
                var advertised = options.AdvertisedAddress ?? Environment.GetEnvironmentVariable("POD_IP") ?? "127.0.0.1";
                silo.ConfigureEndpoints(System.Net.IPAddress.Parse(advertised), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
                break;
            default:
                throw new InvalidOperationException(
                    $"WorldCluster:Clustering:Kind is '{options.Clustering.Kind}'; use 'localhost', or 'azure-table' with WorldCluster:Clustering:ConnectionString");
        }
        // Failure detection can be tuned (tests shorten it): WorldCluster:Membership binds Orleans' ClusterMembershipOptions.
        silo.Configure<ClusterMembershipOptions>(membership);
    }
}
