using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Placement;
using WorldCluster.Abstractions;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Placement;

namespace WorldCluster.Runtime.Worlds;

// Live migration: the world moves to another silo through Orleans grain migration. The state itself goes through
// storage (the old activation writes every computed tick, the new one recovers and fences exactly like any recovery);
// the dehydration context carries what storage does not hold: participants, their pending actions, observers.
public sealed partial class WorldGrain : IGrainMigrationParticipant
{
    private const string HandoverKey = "worldcluster.world-handover";
    private WorldHandover? _handedOver;

    /// <inheritdoc />
    public async Task<string> MigrateAsync(MigrateRequest request)
    {
        var world = RequireWorld();
        var here = localSilo.SiloAddress;
        var model = $"{world.Model}@{world.ModelVersion}";
        var target = ServiceProvider.GetRequiredService<MigrationTargets>().Check(model, here, request.Silo);
        // The grain is not reentrant, so no tick is being computed now: this is a tick boundary. Stop ticking so it
        // stays one until the world has moved, and wait until every computed tick is durable.
        var ticking = _ticker!.IsRunning;
        _ticker.Stop();
        try
        {
            await _journal!.DrainOrUnavailableAsync(world.Tick);
        }
        catch (WorldRequestException)
        {
            // Storage is down: the world stays here, unchanged, and ticks on.
            if (ticking)
            {
                _ticker.Start(Head.TickHz);
            }
            throw;
        }
        RequestContext.Set(ModelAwarePlacement.ModelKey, model);
        if (target is not null)
        {
            RequestContext.Set(IPlacementDirector.PlacementHintKey, target);
        }
        else
        {
            RequestContext.Set(MigrationTargets.LeavingKey, here);
        }
        logger.LogInformation("World {WorldId} migrates from {Silo} to {Target} at tick {Tick}", WorldKey, here, target?.ToString() ?? "placement's choice", world.Tick);
        MigrateOnIdle();
        return here.ToString();
    }

    /// <inheritdoc />
    void IGrainMigrationParticipant.OnDehydrate(IDehydrationContext dehydrationContext)
    {
        if (_world is null || _unusable is not null)
        {
            return;
        }
        dehydrationContext.TryAddValue(HandoverKey,
            new WorldHandover(_world.Tick, _digest!, _lastActions, _fanOut!.Observers, _sessions?.Export(), _slotsHeldUntil));
    }

    /// <inheritdoc />
    void IGrainMigrationParticipant.OnRehydrate(IRehydrationContext rehydrationContext)
    {
        // Called before OnActivateAsync, which recovers the world from storage and then takes this up (TakeUpHandover).
        if (rehydrationContext.TryGetValue(HandoverKey, out WorldHandover? handover))
        {
            _handedOver = handover;
        }
    }

    // After recovery: the participants and observers of the activation this one replaces, ticking again if it was.
    private void TakeUpHandover(WorldAtTick world)
    {
        if (_handedOver is not { } handover)
        {
            return;
        }
        _handedOver = null;
        if (handover.Tick != world.Tick || handover.Digest != _digest)
        {
            // Cannot happen while the old activation drains before it moves; if it did, what is stored is what clients were told is durable.
            logger.LogWarning("World {WorldId} migrated at tick {Tick} ({Digest}) but storage holds tick {StoredTick} ({StoredDigest}); serving what is stored",
                WorldKey, handover.Tick, handover.Digest, world.Tick, _digest);
        }
        else
        {
            _lastActions = handover.LastActions;
            _fanOut!.Remember(CurrentUpdate(world));
        }
        _slotsHeldUntil = handover.SlotsHeldUntil;
        foreach (var observer in handover.Observers)
        {
            _fanOut!.Subscribe(observer);
        }
        if (handover.Sessions is { } sessions)
        {
            Sessions().Import(sessions);
            metrics.Participants.WithLabels(world.Model).Inc(Sessions().Count);
            if (Sessions().PlayerCount > 0 && Head.TickHz > 0)
            {
                _ticker!.Start(Head.TickHz);
            }
        }
        logger.LogInformation("World {WorldId} took up its migration at tick {Tick} with {Participants} participant(s) and {Observers} observer(s)",
            WorldKey, world.Tick, _sessions?.Count ?? 0, handover.Observers.Length);
    }
}
