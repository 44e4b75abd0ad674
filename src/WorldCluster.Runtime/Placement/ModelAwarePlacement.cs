using Orleans.Placement;

namespace WorldCluster.Runtime.Placement;

/// <summary>Places a world on a silo that serves its model, the least loaded one, never on a gateway-only silo.</summary>
[GenerateSerializer, Immutable]
public sealed class ModelAwarePlacement : PlacementStrategy
{
    /// <summary>The request-context key a caller sets to the model of the world it creates (placement happens before the grain knows).</summary>
    public const string ModelKey = "worldcluster.model";
}

/// <summary>Marks a grain class for <see cref="ModelAwarePlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ModelAwarePlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public ModelAwarePlacementAttribute()
        : base(new ModelAwarePlacement())
    {
    }
}
