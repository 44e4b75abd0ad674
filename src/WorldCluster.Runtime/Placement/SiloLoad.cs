namespace WorldCluster.Runtime.Placement;

/// <summary>A silo's own load signal: the worlds it holds, the steps waiting in its batchers, and how full its resident state budget is.</summary>
/// <param name="ActiveWorlds">World activations on the silo.</param>
/// <param name="QueuedSteps">Steps waiting in its batchers.</param>
/// <param name="ReportedAt">When it was measured.</param>
/// <param name="WorkingSetShare">The state bytes of its worlds stepped within the admission window ÷ its resident state budget (0 when unbounded).</param>
/// <param name="BusyShare">The busiest of its batchers' share of the last 30 s spent in model calls, 0 to 1.</param>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.SiloLoad")]
public sealed record SiloLoad(
    [property: Id(0)] int ActiveWorlds,
    [property: Id(1)] int QueuedSteps,
    [property: Id(2)] DateTimeOffset ReportedAt,
    [property: Id(3)] double WorkingSetShare = 0,
    [property: Id(4)] double BusyShare = 0)
{
    /// <summary>
    /// One number to compare silos by: worlds, with queued steps weighing in as pressure; a silo whose budget is taken by
    /// working worlds comes after every silo with room (it would refuse the world, or spill its own).
    /// </summary>
    public double Score => ActiveWorlds + (QueuedSteps * 4.0) + (WorkingSetShare >= 1 ? 1e9 : 0);
}
