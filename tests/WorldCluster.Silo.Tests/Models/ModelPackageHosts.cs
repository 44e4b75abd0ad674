namespace WorldCluster.Silo.Tests.Models;

/// <summary>
/// Hosts whose package folders hold broken packages: they run one after another, because the model-load-failure gauge
/// they each assert on is one per process.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ModelPackageHosts
{
    /// <summary>The collection's name.</summary>
    public const string Name = "model package hosts";
}
