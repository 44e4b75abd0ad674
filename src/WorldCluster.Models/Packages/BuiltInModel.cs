using WorldCluster.Models.Contract;

namespace WorldCluster.Models.Packages;

/// <summary>A model compiled into the silo (e.g. the reference world), served beside packages; created only when served.</summary>
public sealed record BuiltInModel(ModelManifest Manifest, Func<IWorldModel> Create);
