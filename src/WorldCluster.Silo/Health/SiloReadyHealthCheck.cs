using Microsoft.Extensions.Diagnostics.HealthChecks;
using WorldCluster.Models.Catalog;
using WorldCluster.Models.Packages;
using WorldCluster.Runtime.Placement;
using WorldCluster.Silo.Hosting;

namespace WorldCluster.Silo.Health;

/// <summary>Ready once this silo is an active cluster member and serves at least one model (degraded, still ready, when a package failed).</summary>
public sealed class SiloReadyHealthCheck(
    IClusterMembershipService membership,
    ILocalSiloDetails silo,
    ModelCatalog models,
    ModelLoadReport loaded,
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
        if (served.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("no models loaded"));
        }
        var description = $"active; models: {string.Join(", ", served.Select(m => m.Manifest.Id))}";
        if (loaded.Failures.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy(description));
        }
        // Still ready (it serves its other models), but an operator should see the broken package.
        var failed = loaded.Failures.ToDictionary(f => f.Package, f => (object)f.Error, StringComparer.Ordinal);
        return Task.FromResult(HealthCheckResult.Degraded($"{description}; {failed.Count} failed to load (GET /api/models/failed)", data: failed));
    }
}
