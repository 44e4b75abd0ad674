using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WorldCluster.Abstractions;
using WorldCluster.Runtime.Worlds;

namespace WorldCluster.Runtime.Placement;

/// <summary>
/// Evens out worlds between model silos: every <see cref="WorldOptions.RebalanceInterval"/> this silo compares its
/// active worlds with the least loaded other silo that hosts worlds (from the load reports placement already uses) and,
/// when it holds at least <see cref="WorldOptions.RebalanceMinGap"/> more, moves half the difference there (at most
/// <see cref="WorldOptions.RebalanceMaxMoves"/> a round) by live migration, as <c>POST /api/worlds/{id}/migrate</c> does.
/// A silo whose batcher is saturated or whose resident-state budget is full is never chosen as the target.
/// </summary>
/// <remarks>
/// Orleans' own activation rebalancer moves any grain to any silo by activation count and memory; it does not know that
/// gateway-only silos never host worlds or which silo serves which model, so it does not fit here (docs/operations.md).
/// </remarks>
public sealed class WorldRebalancer(
    ActiveWorldCounter worlds,
    ClusterLoadView loads,
    IGrainFactory grains,
    MigrationTargets targets,
    ILocalSiloDetails silo,
    IOptions<WorldOptions> options,
    TimeProvider time,
    ILogger<WorldRebalancer> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>A target's batcher busier than this is not sent more worlds.</summary>
    public const double SaturatedBusyShare = 0.9;

    private ITimer? _timer;
    private int _running;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WorldRebalancer), ServiceLifecycleStage.Active, Start, Stop);

    /// <summary>Runs one round now: returns how many worlds it moved off this silo.</summary>
    public async Task<int> RebalanceOnceAsync()
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return 0;
        }
        try
        {
            return await RebalanceAsync();
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private Task Start(CancellationToken cancellationToken)
    {
        var interval = options.Value.RebalanceInterval;
        if (interval > TimeSpan.Zero)
        {
            // Silos that started together should not all decide at the same moment on the same view: start at a random offset.
            var first = interval + TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * interval.TotalMilliseconds / 2);
            _timer = time.CreateTimer(_ => _ = RoundAsync(), null, first, interval);
        }
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }
    }

    private async Task RoundAsync()
    {
        try
        {
            await RebalanceOnceAsync();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "A rebalancing round failed; the next one tries again");
        }
    }

    private async Task<int> RebalanceAsync()
    {
        var here = silo.SiloAddress;
        var reports = loads.Loads;
        var target = targets.OtherHosts(here)
            .Select(s => (Silo: s, Load: reports.GetValueOrDefault(s)))
            // A silo that has not reported yet is unknown, not empty: wait for its report.
            .Where(c => c.Load is { } load && load.BusyShare < SaturatedBusyShare && load.WorkingSetShare < 1)
            .OrderBy(c => c.Load!.ActiveWorlds)
            .ThenBy(c => c.Silo.GetConsistentHashCode())
            .FirstOrDefault();
        if (target.Load is null)
        {
            return 0;
        }
        var ids = worlds.Ids;
        var gap = ids.Count - target.Load.ActiveWorlds;
        if (gap < Math.Max(options.Value.RebalanceMinGap, ids.Count / 10))
        {
            return 0;
        }
        var want = Math.Min(gap / 2, options.Value.RebalanceMaxMoves);
        logger.LogInformation("Rebalancing: {Here} holds {Mine} world(s), {Target} {Theirs}; moving {Count}",
            here, ids.Count, target.Silo, target.Load.ActiveWorlds, want);
        var moved = 0;
        foreach (var id in ids)
        {
            if (moved == want)
            {
                break;
            }
            try
            {
                await grains.GetGrain<IWorldGrain>(id).MigrateAsync(new MigrateRequest(target.Silo.ToString()));
                moved++;
            }
            catch (WorldRequestException e)
            {
                // Its model is not served there (409), or storage is down (503): it stays, and another world goes instead.
                logger.LogDebug("World {WorldId} stays on {Here}: {Reason}", id, here, e.Message);
            }
        }
        return moved;
    }
}
