using WorldCluster.Models.Contract;

namespace WorldCluster.Runtime.Batching;

/// <summary>One world's share of a batched model call: its next state and its frame (uint8, channels first).</summary>
/// <param name="State">The world's next state: host bytes, or <see cref="WorldState.Resident"/> when the batcher keeps it.</param>
/// <param name="Frame">The world's frame.</param>
/// <param name="ForwardSeconds">Seconds the model call of this world's batch took (the forward pass, not queueing or copies).</param>
public sealed record ModelStepResult(WorldState State, byte[] Frame, double ForwardSeconds = 0)
{
    /// <summary>The state digest at the next tick, hashed by the batcher from the state it keeps (null on the host path).</summary>
    public string? Digest { get; init; }

    /// <summary>The next state's <c>scores</c> tensor when the state stays resident and the model keeps one (null otherwise).</summary>
    public StateTensor? Scores { get; init; }
}
