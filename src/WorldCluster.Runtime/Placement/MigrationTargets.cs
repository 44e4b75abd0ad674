using Orleans.Runtime.MembershipService.SiloMetadata;
using WorldCluster.Abstractions;

namespace WorldCluster.Runtime.Placement;

/// <summary>
/// Checks where a world may migrate before it asks Orleans to move it: an active silo other than its own that hosts
/// worlds and serves its model. <see cref="ModelAwarePlacementDirector"/> then places the migrating world on the named
/// silo (Orleans' placement hint) or, without one, on another silo serving the model (<see cref="LeavingKey"/>).
/// </summary>
public sealed class MigrationTargets(ISiloMetadataCache metadata, IClusterMembershipService membership)
{
    /// <summary>The request-context key naming the silo a migrating world leaves (so placement chooses another).</summary>
    public const string LeavingKey = "worldcluster.migrate-from";

    /// <summary>
    /// The silo to move a world of <paramref name="model"/> from <paramref name="current"/> to: the one <paramref name="requested"/>
    /// names (as <see cref="WorldInfo.Silo"/> shows it), or null for placement's choice; refused with a clear reason otherwise.
    /// </summary>
    public SiloAddress? Check(string model, SiloAddress current, string? requested)
    {
        var active = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToArray();
        if (requested is null)
        {
            if (!active.Any(s => !s.Equals(current) && HostsWorlds(s) && Serves(s, model)))
            {
                throw new WorldRequestException(WorldErrorKind.Conflict,
                    $"there is no other silo to migrate to: no active silo but {current} hosts worlds of model {model}");
            }
            return null;
        }
        var target = active.FirstOrDefault(s => s.ToString() == requested)
            ?? throw new WorldRequestException(WorldErrorKind.BadRequest,
                $"'{requested}' is not an active silo of this cluster (name one as a world's 'silo' shows it)");
        if (target.Equals(current))
        {
            throw new WorldRequestException(WorldErrorKind.Conflict, $"the world already runs on {requested}");
        }
        if (!HostsWorlds(target))
        {
            throw new WorldRequestException(WorldErrorKind.Conflict, $"silo {requested} is gateway-only: it never hosts worlds");
        }
        if (!Serves(target, model))
        {
            throw new WorldRequestException(WorldErrorKind.Conflict, $"silo {requested} does not serve model {model}");
        }
        return target;
    }

    /// <summary>True when an active silo other than <paramref name="current"/> hosts worlds (a drain has somewhere to send them).</summary>
    public bool AnyOtherHost(SiloAddress current) => OtherHosts(current).Count > 0;

    /// <summary>The active silos other than <paramref name="current"/> that host worlds.</summary>
    public IReadOnlyList<SiloAddress> OtherHosts(SiloAddress current) =>
        [.. membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(current) && HostsWorlds(m.SiloAddress))
            .Select(m => m.SiloAddress)];

    private bool HostsWorlds(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.GetValueOrDefault(SiloRole.RoleKey) != SiloRole.Gateway;

    private bool Serves(SiloAddress silo, string model) => ModelAwarePlacementDirector.Serves(metadata.GetSiloMetadata(silo).Metadata, model);
}
