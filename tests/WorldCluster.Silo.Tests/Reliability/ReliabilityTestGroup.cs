namespace WorldCluster.Silo.Tests.Reliability;

/// <summary>
/// The fault, outage and soak tests run one after another, and after every other test of the assembly, alone: each
/// starts several processes (silos, Azurite) and measures deadlines or memory trends that a neighbour test's load on a
/// small machine would distort (in parallel with the rest, the SIGKILL test timed out before its kill).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityTestGroup
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Reliability";
}
