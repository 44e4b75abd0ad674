using WorldCluster.Models.Learned;
using WorldCluster.Runtime.Models.Packages;

namespace WorldCluster.Silo.Hosting;

/// <summary>The architectures whose <c>torchsharp</c> packages this silo can load; register a new one with one line here.</summary>
public static class ModelArchitectureRegistry
{
    /// <summary>Every architecture this build knows.</summary>
    public static ModelArchitectures Create() => new ModelArchitectures()
        .Register(LearnedWorld.Architecture, (package, device) => LearnedWorld.Load(package.WeightsPath, package.Manifest, device));
}
