namespace WorldCluster.Silo.Tests.Reliability;

/// <summary>
/// The fault, outage and soak tests run one after another: each starts several processes (silos, Azurite) and measures
/// deadlines or memory trends that a neighbour test's load on a small machine would distort.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ReliabilityTestGroup
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Reliability";
}
