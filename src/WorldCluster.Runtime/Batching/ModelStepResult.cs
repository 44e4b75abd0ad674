using WorldCluster.Models.Contract;

namespace WorldCluster.Runtime.Batching;

/// <summary>One world's share of a batched model call: its next state and its frame (uint8, channels first).</summary>
/// <param name="State">The world's next state.</param>
/// <param name="Frame">The world's frame.</param>
/// <param name="ForwardSeconds">Seconds the model call of this world's batch took (the forward pass, not queueing or copies).</param>
public sealed record ModelStepResult(WorldState State, byte[] Frame, double ForwardSeconds = 0);
