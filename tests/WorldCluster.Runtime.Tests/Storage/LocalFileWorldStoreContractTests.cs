using WorldCluster.Runtime.Storage;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Storage;

/// <summary>The store contract against <see cref="LocalFileWorldStore"/> in a fresh temporary folder per test (journal group commit on, the default).</summary>
public class LocalFileWorldStoreContractTests : WorldStoreContractTests, IDisposable
{
    private readonly ScratchFolder _root = new("wc-store");

    /// <summary>Whether the stores under test share journal flushes.</summary>
    protected virtual bool GroupCommit => true;

    public void Dispose()
    {
        _root.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Group_commit_is_on_where_configured_and_the_system_can_flush_a_file_system()
    {
        Assert.Equal(GroupCommit && OperatingSystem.IsLinux(), ((LocalFileWorldStore)NewStore()).GroupCommit);
    }

    protected override IWorldStore NewStore() => new LocalFileWorldStore(new LocalFileWorldStoreOptions { RootPath = _root.Path, GroupCommit = GroupCommit });
}
