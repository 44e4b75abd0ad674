using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using WorldCluster.Models.Catalog;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Placement;
using WorldCluster.Runtime.Worlds;

namespace WorldCluster.Runtime.Hosting;

/// <summary>Registers WorldCluster's runtime (worlds, batchers, models, metrics) in a silo's services; stores are in <see cref="StoreHostingExtensions"/>.</summary>
public static class WorldClusterRuntimeExtensions
{
    /// <summary>Adds the runtime services every model silo needs; add models and a store beside it.</summary>
    public static IServiceCollection AddWorldClusterRuntime(this IServiceCollection services, Action<StepBatcherOptions>? batching = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SiloMetricsRegistry>();
        services.TryAddSingleton(sp => sp.GetRequiredService<SiloMetricsRegistry>().Metrics);
        var options = services.AddOptions<StepBatcherOptions>().BindConfiguration(StepBatcherOptions.SectionName);
        if (batching is not null)
        {
            options.Configure(batching);
        }
        services.AddOptions<WorldOptions>().BindConfiguration(WorldOptions.SectionName);
        services.AddOptions<ResidentStateOptions>().BindConfiguration(ResidentStateOptions.SectionName);
        services.TryAddSingleton(sp => new ModelCatalog(sp.GetServices<IWorldModel>()));
        services.TryAddSingleton<StepBatchers>();
        services.TryAddSingleton<ActiveWorldCounter>();
        services.TryAddSingleton<ClusterLoadView>();
        services.AddPlacementDirector<ModelAwarePlacement, ModelAwarePlacementDirector>();
        services.TryAddSingleton<MigrationTargets>();
        services.AddHostedService<SiloLoadReporter>();
        services.AddHostedService<SpilledWorldNotifier>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, MigratingDrain>();
        services.TryAddSingleton<WorldRebalancer>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<WorldRebalancer>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<StepBatchers>());
        return services;
    }

    /// <summary>Serves a model on this silo; the container owns and disposes it.</summary>
    public static IServiceCollection AddWorldClusterModel<TModel>(this IServiceCollection services)
        where TModel : class, IWorldModel
    {
        services.AddSingleton<IWorldModel, TModel>();
        return services;
    }
}
