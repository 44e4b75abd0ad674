using WorldCluster.Models.Contract;

namespace WorldCluster.Runtime.Batching;

/// <summary>One world's share of a batched model call: its next state and its frame (uint8, channels first).</summary>
public sealed record ModelStepResult(WorldState State, byte[] Frame);
