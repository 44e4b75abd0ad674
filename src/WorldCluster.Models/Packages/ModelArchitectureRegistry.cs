using WorldCluster.Models.Learned;

namespace WorldCluster.Models.Packages;

/// <summary>The architectures whose <c>torchsharp</c> packages a silo can load; register a new one with one line here.</summary>
public static class ModelArchitectureRegistry
{
    /// <summary>Every architecture this build knows.</summary>
    public static ModelArchitectures Create() => new ModelArchitectures()
        .Register(LearnedWorld.Architecture, (package, device) => LearnedWorld.Load(package.WeightsPath, package.Manifest, device));
}
