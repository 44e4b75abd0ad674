using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Batching;

namespace WorldCluster.Runtime.Durability;

/// <summary>
/// What replaying a world's journal needs of its model: the manifest (stored tensors, whether steps replay bit for bit)
/// and a way to run one step again. Its failures surface as the caller's own exceptions.
/// </summary>
/// <param name="Manifest">The model the world was created with.</param>
/// <param name="Step">Runs one step of <paramref name="Manifest"/>'s model from a state with one action per player slot.</param>
public sealed record ReplayModel(ModelManifest Manifest, Func<WorldState, int[], Task<ModelStepResult>> Step);
