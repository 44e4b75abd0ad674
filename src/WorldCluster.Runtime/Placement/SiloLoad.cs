namespace WorldCluster.Runtime.Placement;

/// <summary>A silo's own load signal: the worlds it holds and the steps waiting in its batchers.</summary>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.SiloLoad")]
public sealed record SiloLoad(
    [property: Id(0)] int ActiveWorlds,
    [property: Id(1)] int QueuedSteps,
    [property: Id(2)] DateTimeOffset ReportedAt)
{
    /// <summary>One number to compare silos by: worlds, with queued steps weighing in as pressure.</summary>
    public double Score => ActiveWorlds + (QueuedSteps * 4.0);
}
