using WorldCluster.Models.Contract;

namespace WorldCluster.Runtime.Durability;

/// <summary>A world's complete state at one tick: the live state of an activation, and what a snapshot file holds (see docs/storage.md).</summary>
/// <remarks>
/// A snapshot names no world: it is stored once under the hash of its bytes and shared by every world that reaches the
/// same state, forks included. Which world it belongs to, and when that world was created, is the head's business.
/// </remarks>
/// <param name="Model">The model's name.</param>
/// <param name="ModelVersion">The model version the world was created with.</param>
/// <param name="Seed">The world's seed.</param>
/// <param name="Players">Player slots in use.</param>
/// <param name="Tick">The tick this state is at.</param>
/// <param name="State">The model state tensors, in manifest order.</param>
/// <param name="Frame">The frame at <paramref name="Tick"/>: uint8, channels first (CHW).</param>
/// <param name="FrameShape">The frame's channels, height and width.</param>
public sealed record WorldAtTick(
    string Model,
    string ModelVersion,
    long Seed,
    int Players,
    long Tick,
    WorldState State,
    byte[] Frame,
    ObservationShape FrameShape);
