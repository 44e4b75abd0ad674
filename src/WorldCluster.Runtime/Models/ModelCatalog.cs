using WorldCluster.Models.Contract;

namespace WorldCluster.Runtime.Models;

/// <summary>The models this silo serves, by name.</summary>
public sealed class ModelCatalog
{
    private readonly Dictionary<string, IWorldModel> _models;

    /// <summary>Creates the catalog; model names must be unique.</summary>
    public ModelCatalog(IEnumerable<IWorldModel> models)
    {
        _models = new Dictionary<string, IWorldModel>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            if (!_models.TryAdd(model.Manifest.Name, model))
            {
                throw new InvalidOperationException($"two models are named '{model.Manifest.Name}'");
            }
        }
    }

    /// <summary>Every served model, ordered by name.</summary>
    public IReadOnlyList<IWorldModel> All => [.. _models.Values.OrderBy(m => m.Manifest.Name, StringComparer.Ordinal)];

    /// <summary>Finds a model by name.</summary>
    public bool TryGet(string name, out IWorldModel model) => _models.TryGetValue(name, out model!);
}
