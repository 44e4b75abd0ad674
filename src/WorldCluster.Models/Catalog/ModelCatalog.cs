using WorldCluster.Models.Contract;

namespace WorldCluster.Models.Catalog;

/// <summary>The models this silo serves, by <c>name@version</c>; a bare name means the latest version served.</summary>
public sealed class ModelCatalog
{
    private readonly Dictionary<string, IWorldModel> _models;

    /// <summary>Creates the catalog; model ids (<c>name@version</c>) must be unique.</summary>
    public ModelCatalog(IEnumerable<IWorldModel> models)
    {
        _models = new Dictionary<string, IWorldModel>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            if (!_models.TryAdd(model.Manifest.Id, model))
            {
                throw new InvalidOperationException($"two models are {model.Manifest.Id}");
            }
        }
    }

    /// <summary>Every served model, ordered by name, then newest version first.</summary>
    public IReadOnlyList<IWorldModel> All =>
    [
        .. _models.Values
            .OrderBy(m => m.Manifest.Name, StringComparer.Ordinal)
            .ThenByDescending(m => m.Manifest.Version, Comparer<string>.Create(ModelReference.CompareVersions)),
    ];

    /// <summary>What this silo advertises for placement: every served name and every <c>name@version</c>.</summary>
    public IReadOnlyList<string> References =>
        [.. _models.Values.Select(m => m.Manifest.Name).Distinct(StringComparer.Ordinal), .. _models.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Finds a model by <c>name</c> (its latest version here) or by <c>name@version</c>.</summary>
    public bool TryGet(string reference, out IWorldModel model)
    {
        var (name, version) = ModelReference.Parse(reference);
        if (version is not null)
        {
            return _models.TryGetValue(reference, out model!);
        }
        model = All.FirstOrDefault(m => m.Manifest.Name == name)!;
        return model is not null;
    }
}
