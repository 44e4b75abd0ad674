using Microsoft.Extensions.Logging;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;
using WorldCluster.Contracts;
using WorldCluster.Models.Catalog;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Placement;

/// <summary>
/// Chooses a silo for a world: among compatible silos, those whose metadata says they host worlds and serve the world's
/// model (from the creating call's request context, or else from the world's stored head), the least loaded. A migrating
/// world's target (Orleans' placement hint) is honoured when it is such a silo; a world migrating without one goes to
/// another silo than the one it leaves.
/// </summary>
public sealed class ModelAwarePlacementDirector(
    ISiloMetadataCache metadata,
    ClusterLoadView load,
    IWorldStore store,
    TimeProvider time,
    ILogger<ModelAwarePlacementDirector> logger) : IPlacementDirector
{
    /// <summary>How long placement waits for the metadata of a silo that has just joined before deciding without it.</summary>
    public static readonly TimeSpan MetadataWait = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MetadataPoll = TimeSpan.FromMilliseconds(50);

    /// <inheritdoc />
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = await KnownSilos(context.GetCompatibleSilos(target));
        var hosts = compatible.Where(HostsWorlds).ToArray();
        if (hosts.Length == 0)
        {
            throw new OrleansException("no silo in the cluster hosts worlds (every silo is gateway-only)");
        }
        var model = target.RequestContextData?.GetValueOrDefault(ModelAwarePlacement.ModelKey) as string
            ?? await StoredModel(target.GrainIdentity.Key.ToString()!);
        var serving = model is null ? [] : hosts.Where(s => Serves(s, model)).ToArray();
        if (target.RequestContextData is { } data && IPlacementDirector.GetPlacementHint(data, serving) is { } hinted)
        {
            // A migration to a chosen silo (checked by MigrationTargets before the world asked to move).
            logger.LogDebug("Placing world {WorldId} on {Silo}, the migration target", target.GrainIdentity.Key, hinted);
            return hinted;
        }
        if (target.RequestContextData?.GetValueOrDefault(MigrationTargets.LeavingKey) is SiloAddress leaving
            && serving.Where(s => !s.Equals(leaving)).ToArray() is { Length: > 0 } others)
        {
            serving = others;
        }
        // An unknown or unserved model still needs an activation somewhere, to answer the caller with a clear error.
        var chosen = load.PickAndCount(serving.Length > 0 ? serving : hosts);
        logger.LogDebug("Placing world {WorldId} (model {Model}) on {Silo}", target.GrainIdentity.Key, model, chosen);
        return chosen;
    }

    // A silo's metadata reaches this silo's cache some time after the silo joins. Deciding before it arrives would place
    // every world on the silos already known (all on one model silo, right after a second one starts), so wait a bounded
    // time for it; past that, decide among the silos that are known, or all of them if none is.
    private async Task<SiloAddress[]> KnownSilos(SiloAddress[] silos)
    {
        var deadline = time.GetTimestamp() + (long)(MetadataWait.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            var known = silos.Where(IsKnown).ToArray();
            if (known.Length == silos.Length)
            {
                return silos;
            }
            if (time.GetTimestamp() >= deadline)
            {
                logger.LogWarning("Placing without the metadata of {Silos}: it did not arrive within {Wait}",
                    string.Join(", ", silos.Except(known)), MetadataWait);
                return known.Length > 0 ? known : silos;
            }
            await Task.Delay(MetadataPoll, time);
        }
    }

    private bool IsKnown(SiloAddress silo) => metadata.GetSiloMetadata(silo).Metadata.ContainsKey(SiloRole.RoleKey);

    private bool HostsWorlds(SiloAddress silo) =>
        Role(silo) is var role && role != SiloRole.Gateway;

    private bool Serves(SiloAddress silo, string model) => Serves(metadata.GetSiloMetadata(silo).Metadata, model);

    /// <summary>Whether a silo with this metadata serves <paramref name="model"/> (<c>name</c> or <c>name@version</c>).</summary>
    internal static bool Serves(IReadOnlyDictionary<string, string> metadata, string model)
    {
        if (!metadata.TryGetValue(SiloRole.ModelsKey, out var list))
        {
            return false;
        }
        var models = list.Split(',');
        if (models.Contains(model, StringComparer.Ordinal))
        {
            return true;
        }
        // A silo that lists bare names only (no name@version) serves whatever version it has of them.
        var (name, version) = ModelReference.Parse(model);
        return version is not null && models.Contains(name, StringComparer.Ordinal)
            && !models.Any(m => m.StartsWith(name + "@", StringComparison.Ordinal));
    }

    // Silos without WorldCluster metadata (only when it never arrived, see KnownSilos) are treated as hosting everything.
    private string Role(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.GetValueOrDefault(SiloRole.RoleKey) ?? SiloRole.Both;

    private async Task<string?> StoredModel(string worldId)
    {
        if (!WorldId.IsValid(worldId))
        {
            return null;
        }
        try
        {
            var head = await store.ReadHeadAsync(worldId);
            if (head is null)
            {
                return null;
            }
            // A stored world needs the exact version it was created with.
            var decoded = WorldHeadCodec.Decode(worldId, head.Content);
            return $"{decoded.Model}@{decoded.ModelVersion}";
        }
        catch (Exception e) when (e is CorruptWorldDataException or IOException or TimeoutException)
        {
            // The activation will report the problem itself; any host will do.
            logger.LogDebug(e, "Could not read the model of world {WorldId} for placement", worldId);
            return null;
        }
    }
}
