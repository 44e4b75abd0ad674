using WorldCluster.Runtime.Storage;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Storage;

/// <summary>The store contract against the tests' <see cref="InMemoryWorldStore"/>, so tests that use it stand on the same promises.</summary>
public sealed class InMemoryWorldStoreContractTests : WorldStoreContractTests
{
    private readonly InMemoryWorldStore _store = new();

    protected override IWorldStore NewStore() => _store.SameStorage();
}
