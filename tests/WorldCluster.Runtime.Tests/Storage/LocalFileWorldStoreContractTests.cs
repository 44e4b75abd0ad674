using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Tests.Storage;

/// <summary>The store contract against <see cref="LocalFileWorldStore"/> in a fresh temporary folder per test.</summary>
public sealed class LocalFileWorldStoreContractTests : WorldStoreContractTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"wc-store-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    protected override IWorldStore NewStore() => new LocalFileWorldStore(new LocalFileWorldStoreOptions { RootPath = _root });
}
