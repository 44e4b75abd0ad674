using static TorchSharp.torch;

namespace WorldCluster.Models.Contract;

/// <summary>A world model stepped in batches: many worlds, one forward pass.</summary>
/// <remarks>
/// Implementations are called from one thread at a time (the silo's step batcher for the model). Inputs are owned by
/// the caller; returned tensors are owned by the caller's dispose scope.
/// </remarks>
public interface IWorldModel : IDisposable
{
    /// <summary>The model's manifest.</summary>
    ModelManifest Manifest { get; }

    /// <summary>Fresh states for a batch of worlds: one state tensor per spec, each <c>[B, ...spec.Shape]</c>, and their first frames.</summary>
    StepOutput Init(IReadOnlyList<WorldSeed> seeds);

    /// <summary>One tick for a batch of worlds.</summary>
    /// <param name="state">State tensors in manifest order, each <c>[B, ...spec.Shape]</c>.</param>
    /// <param name="actions">int64 <c>[B, MaxPlayers]</c>; unused slots hold 0 (no-op).</param>
    StepOutput Step(IReadOnlyList<Tensor> state, Tensor actions);

    /// <summary>One tick for a batch of worlds, with their scene memory (models with a <see cref="ModelManifest.Memory"/> override this).</summary>
    /// <param name="state">State tensors in manifest order, each <c>[B, ...spec.Shape]</c>.</param>
    /// <param name="actions">int64 <c>[B, MaxPlayers]</c>; unused slots hold 0 (no-op).</param>
    /// <param name="memory">Every kept memory entry of every world in the batch.</param>
    StepOutput Step(IReadOnlyList<Tensor> state, Tensor actions, SceneMemory memory) => Step(state, actions);

    /// <summary>One tick for a batch of worlds of a model with a structured action space (keys, box, dict).</summary>
    /// <param name="state">State tensors in manifest order, each <c>[B, ...spec.Shape]</c>.</param>
    /// <param name="actions">One tensor per action component, each <c>[B, MaxPlayers, ...]</c>; unused slots hold 0.</param>
    /// <param name="memory">Every kept memory entry of every world in the batch; null for a model without scene memory.</param>
    StepOutput Step(IReadOnlyList<Tensor> state, ActionBatch actions, SceneMemory? memory) =>
        throw new NotSupportedException($"model {Manifest.Id} does not take structured actions");
}

/// <summary>How to start one world.</summary>
/// <param name="Seed">The world's seed: equal seeds give equal worlds.</param>
/// <param name="Players">Player slots in use (1..MaxPlayers).</param>
public readonly record struct WorldSeed(long Seed, int Players);

/// <summary>A batch's next states (manifest order, each <c>[B, ...]</c>), frames (uint8 <c>[B, C, H, W]</c>) and, for models with scene memory, what to remember.</summary>
public sealed record StepOutput(IReadOnlyList<Tensor> State, Tensor Frames, MemoryWrite? Memory = null);
