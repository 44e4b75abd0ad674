using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WorldCluster.Abstractions;
using WorldCluster.Runtime.Placement;

namespace WorldCluster.Runtime.Worlds;

/// <summary>
/// When the silo stops, moves its worlds to the other silos serving their models (Orleans grain migration, as
/// <c>POST /api/worlds/{id}/migrate</c> does) before Orleans deactivates what is left; a world with nowhere to go, or still
/// here when the shutdown's time runs out, is snapshotted on deactivation as before.
/// </summary>
/// <remarks>
/// Orleans' own shutdown deactivates every activation (reason <c>ShuttingDown</c>) and has no migrate-on-shutdown option,
/// so this runs in the stop of the <see cref="ServiceLifecycleStage.Active"/> stage, before that deactivation.
/// </remarks>
public sealed class MigratingDrain(
    ActiveWorldCounter worlds,
    IGrainFactory grains,
    MigrationTargets targets,
    ILocalSiloDetails silo,
    IOptions<WorldOptions> options,
    ILogger<MigratingDrain> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(MigratingDrain), ServiceLifecycleStage.Active, _ => Task.CompletedTask, DrainAsync);

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.DrainByMigration)
        {
            return;
        }
        var ids = worlds.Ids;
        // Alone (the embedded default, or the last model silo): nothing to ask each world, the shutdown snapshots them.
        if (ids.Count == 0 || !targets.AnyOtherHost(silo.SiloAddress))
        {
            return;
        }
        logger.LogInformation("Draining: moving {Count} world(s) to other silos", ids.Count);
        var moved = 0;
        var stayed = 0;
        using var parallel = new SemaphoreSlim(options.Value.DrainParallelism);
        await Task.WhenAll(ids.Select(async id =>
        {
            await parallel.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await grains.GetGrain<IWorldGrain>(id).MigrateAsync(new MigrateRequest(null)).WaitAsync(cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref moved);
            }
            catch (Exception e) when (e is WorldRequestException or OperationCanceledException or TimeoutException)
            {
                // Nowhere to go (409), storage down (503), or out of time: it deactivates with a snapshot, as before.
                Interlocked.Increment(ref stayed);
                logger.LogInformation("World {WorldId} stays for the shutdown's snapshot: {Reason}", id, e.Message);
            }
            finally
            {
                parallel.Release();
            }
        })).ConfigureAwait(false);
        logger.LogInformation("Drain moved {Moved} world(s); {Stayed} stay for the shutdown's snapshot", moved, stayed);
    }
}
