using WorldCluster.Runtime.Storage;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Storage;

/// <summary>The store contract against <see cref="AzureBlobWorldStore"/> on Azurite, in a fresh container per test.</summary>
public sealed class AzureBlobWorldStoreContractTests(AzuriteFixture azurite) : WorldStoreContractTests, IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly ScratchContainer _container = new(azurite);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _container.DeleteAsync();

    protected override IWorldStore NewStore() =>
        new AzureBlobWorldStore(new AzureBlobWorldStoreOptions { ConnectionString = azurite.ConnectionString, ContainerName = _container.Name });
}
