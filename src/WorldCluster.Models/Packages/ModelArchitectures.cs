using WorldCluster.Models.Contract;
using static TorchSharp.torch;

namespace WorldCluster.Models.Packages;

/// <summary>Builds a model of a <c>torchsharp</c> package: reads <see cref="ModelPackage.WeightsPath"/> and returns the model on <paramref name="device"/>.</summary>
public delegate IWorldModel ModelFactory(ModelPackage package, Device device);

/// <summary>The architectures this silo can build <c>torchsharp</c> packages of, by the manifest's <c>architecture</c> id.</summary>
public sealed class ModelArchitectures
{
    private readonly Dictionary<string, ModelFactory> _factories = new(StringComparer.Ordinal);

    /// <summary>Registers an architecture; ids are unique.</summary>
    public ModelArchitectures Register(string id, ModelFactory factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_factories.TryAdd(id, factory))
        {
            throw new ArgumentException($"architecture '{id}' is registered twice", nameof(id));
        }
        return this;
    }

    /// <summary>Every registered id, sorted.</summary>
    public IReadOnlyList<string> Ids => [.. _factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Finds an architecture's factory.</summary>
    public bool TryGet(string id, out ModelFactory factory) => _factories.TryGetValue(id, out factory!);
}
