namespace WorldCluster.Runtime.Tests.Storage;

/// <summary>The store contract against the local file store with group commit off: an <c>fsync</c> per journal append.</summary>
public sealed class LocalFileWorldStoreFsyncContractTests : LocalFileWorldStoreContractTests
{
    protected override bool GroupCommit => false;
}
