namespace WorldCluster.Contracts;

/// <summary>Body of <c>POST /api/steps</c>: one tick for each of many worlds, and how to return their frames.</summary>
/// <param name="Steps">The worlds to step, each at most once (1..<see cref="BatchLimits.MaxWorlds"/>).</param>
/// <param name="Frames"><c>raw</c> (default), <c>png</c> or <c>none</c>; see <see cref="FrameEncoding"/>.</param>
public sealed record BatchStepBody(BatchStepItem[] Steps, string? Frames = null);

/// <summary>One world's tick in a batch: its id and one action per player slot (see <see cref="PlayerAction"/>).</summary>
public sealed record BatchStepItem(string World, PlayerAction[] Actions);
