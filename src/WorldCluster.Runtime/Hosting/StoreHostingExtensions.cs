using Microsoft.Extensions.DependencyInjection;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Hosting;

/// <summary>Registers the world store a silo keeps its worlds in: local files or Azure Blob Storage (docs/storage.md).</summary>
public static class StoreHostingExtensions
{
    /// <summary>Keeps worlds as files under <paramref name="root"/> (the embedded default); <paramref name="groupCommit"/> shares journal flushes.</summary>
    public static IServiceCollection AddWorldClusterLocalFileStore(this IServiceCollection services, string root, bool groupCommit = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        services.AddSingleton<IWorldStore>(sp =>
            new LocalFileWorldStore(new LocalFileWorldStoreOptions { RootPath = root, GroupCommit = groupCommit }, sp.GetService<TimeProvider>()));
        return services;
    }

    /// <summary>Keeps worlds as blobs in container <paramref name="containerName"/> of the storage account (or Azurite) of <paramref name="connectionString"/>.</summary>
    public static IServiceCollection AddWorldClusterAzureBlobStore(this IServiceCollection services, string connectionString, string containerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        services.AddSingleton<IWorldStore>(_ => new AzureBlobWorldStore(new AzureBlobWorldStoreOptions { ConnectionString = connectionString, ContainerName = containerName }));
        return services;
    }
}
