using Orleans.Runtime.MembershipService.SiloMetadata;
using WorldCluster.Runtime.Placement;

namespace WorldCluster.Runtime.Hosting;

/// <summary>Advertises a silo's role and models to the cluster, for model-aware placement.</summary>
public static class SiloRoleHostingExtensions
{
    /// <summary>Publishes <paramref name="role"/> (see <see cref="SiloRole"/>) and the served model names in this silo's metadata.</summary>
    public static ISiloBuilder UseWorldClusterRole(this ISiloBuilder silo, string role, IEnumerable<string> models)
    {
        if (!SiloRole.IsKnown(role))
        {
            throw new ArgumentException($"unknown silo role '{role}'; use '{SiloRole.Both}', '{SiloRole.Model}' or '{SiloRole.Gateway}'", nameof(role));
        }
        return silo.UseSiloMetadata(SiloRole.Metadata(role, role == SiloRole.Gateway ? [] : models));
    }
}
