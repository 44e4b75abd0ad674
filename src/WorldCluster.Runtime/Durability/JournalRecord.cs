using WorldCluster.Models.Contract;

namespace WorldCluster.Runtime.Durability;

/// <summary>One entry of a world's journal segment.</summary>
public abstract record JournalRecord;

/// <summary>
/// Tick <paramref name="Tick"/> was computed from the previous tick with <paramref name="Actions"/> and reached
/// <paramref name="Digest"/>. For models whose steps cannot be replayed bit for bit, the record also carries the state and
/// frame, so recovery never depends on recomputing them.
/// </summary>
public sealed record TickRecord(long Tick, int[] Actions, string Digest, WorldState? State, byte[]? Frame) : JournalRecord;

/// <summary>An activation took over the segment at <paramref name="Tick"/>; appends by older activations fail from here on.</summary>
public sealed record FenceRecord(Guid Activation, long Tick) : JournalRecord;
