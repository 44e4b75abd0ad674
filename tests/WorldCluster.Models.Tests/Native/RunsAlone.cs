namespace WorldCluster.Models.Tests.Native;

/// <summary>Tests that count finalizations process-wide, so they run alone, not beside other test classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    /// <summary>The collection's name.</summary>
    public const string Name = "native values";
}
