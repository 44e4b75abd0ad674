using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Tests.Storage;

/// <summary>The store contract against <see cref="LocalFileWorldStore"/> with group commit off: an <c>fsync</c> per journal append.</summary>
public sealed class LocalFileWorldStoreFsyncContractTests : WorldStoreContractTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"wc-store-fsync-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Group_commit_is_off_as_configured()
    {
        Assert.False(((LocalFileWorldStore)NewStore()).GroupCommit);
        Assert.Equal(OperatingSystem.IsLinux(), new LocalFileWorldStore(new LocalFileWorldStoreOptions { RootPath = _root }).GroupCommit);
    }

    protected override IWorldStore NewStore() => new LocalFileWorldStore(new LocalFileWorldStoreOptions { RootPath = _root, GroupCommit = false });
}
