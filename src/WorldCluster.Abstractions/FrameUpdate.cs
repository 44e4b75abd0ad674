namespace WorldCluster.Abstractions;

/// <summary>What every subscriber receives per tick: the frame, the state digest and the latest durable tick.</summary>
/// <param name="WorldId">The world.</param>
/// <param name="Tick">The tick this frame shows.</param>
/// <param name="StateDigest">Digest of the world state at <paramref name="Tick"/>.</param>
/// <param name="DurableTick">The latest tick that survives a crash (≤ <paramref name="Tick"/>).</param>
/// <param name="Frame">The frame: uint8, channels first.</param>
/// <param name="Actions">The merged actions (one per slot) that produced this tick; empty for the first tick of a world.</param>
/// <param name="Activation">
/// Which activation of the world sent it (new for every activation): a relay that sees it change knows the world moved
/// or restarted, and a restarted world may go back to its last durable tick.
/// </param>
/// <param name="StartTick">
/// The tick that activation started from (created, recovered from storage or handed over): the ticks after it are its
/// own, so a relay that had shown later ticks of the activation before knows they were replaced.
/// </param>
[GenerateSerializer, Immutable]
[Alias("WorldCluster.FrameUpdate")]
public sealed record FrameUpdate(
    [property: Id(0)] string WorldId,
    [property: Id(1)] long Tick,
    [property: Id(2)] string StateDigest,
    [property: Id(3)] long DurableTick,
    [property: Id(4)] WorldFrame Frame,
    [property: Id(5)] IReadOnlyList<int> Actions,
    [property: Id(6)] Guid Activation = default,
    [property: Id(7)] long StartTick = 0);
