using Microsoft.Extensions.Diagnostics.HealthChecks;
using WorldCluster.Runtime.Models;
using WorldCluster.Runtime.Placement;
using WorldCluster.Silo.Hosting;

namespace WorldCluster.Silo.Health;

/// <summary>Ready once this silo is an active cluster member and serves at least one model.</summary>
public sealed class SiloReadyHealthCheck(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    ModelCatalog models,
    SiloOptions options) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        if (status != SiloStatus.Active)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"silo is {status}, not active"));
        }
        var served = models.All;
        if (options.Role == SiloRole.Gateway)
        {
            return Task.FromResult(HealthCheckResult.Healthy("active; gateway (hosts no worlds)"));
        }
        return Task.FromResult(served.Count == 0
            ? HealthCheckResult.Unhealthy("no models loaded")
            : HealthCheckResult.Healthy($"active; models: {string.Join(", ", served.Select(m => m.Manifest.Id))}"));
    }
}
