using Microsoft.Extensions.Logging;
using WorldCluster.Abstractions;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Storage;
using WorldId = WorldCluster.Contracts.WorldId;

namespace WorldCluster.Runtime.Worlds;

// How an activation takes up its world (recovered from its journal, or created or forked here) and lets it go.
public sealed partial class WorldGrain
{
    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _fanOut = new SiloFanOut(time, _options.ObserverExpiry, _options.FrameBuffer, logger);
        _ticker = new RealtimeTicker(this, time, metrics, OnRealtimeTick);
        _journal = new WorldJournal(store, WorldKey, _options, time, metrics, logger, onStale: StepAside);
        if (!WorldId.IsValid(WorldKey))
        {
            return;
        }
        try
        {
            if (await _journal.RecoverAsync(ModelOf, cancellationToken) is { } world)
            {
                // Its players may be reconnecting (a restart, a move): their slots wait for their join tokens a while.
                _slotsHeldUntil = time.GetUtcNow() + _options.SlotGrace;
                Serve(world);
                TakeUpHandover(world);
            }
        }
        catch (CorruptWorldDataException e)
        {
            // Keep the stored bytes as they are: an operator may be able to repair them; a fresh world must never replace them.
            _unusable = e.Message;
            metrics.StorageErrors.WithLabels("corrupt").Inc();
            logger.LogError(e, "World {WorldId} has unusable stored data; refusing to serve it", WorldKey);
        }
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _ticker?.Stop();
        if (_world is null)
        {
            return;
        }
        CountActive(_world.Model, -1);
        if (_sessions is not null)
        {
            metrics.Participants.WithLabels(_world.Model).Dec(_sessions.Participants.Count);
        }
        var snapshot = reason.ReasonCode != DeactivationReasonCode.ApplicationError;
        var world = _world;
        if (snapshot && world.State.IsResident && _journal!.SnapshotOnDeactivate(world.Tick))
        {
            try
            {
                world = await MaterializedAsync();
            }
            catch (WorldRequestException e)
            {
                // The journal still holds every tick: reactivation replays them.
                logger.LogWarning("World {WorldId}: no snapshot on deactivation: {Reason}", WorldKey, e.Message);
                snapshot = false;
            }
        }
        await _journal!.CloseAsync(world, snapshot, cancellationToken);
        if (_model is not null)
        {
            await _model.EvictAsync();
        }
    }

    private async Task Start(WorldAtTick world, int tickHz, ForkOrigin? forkedFrom, WorldModel model)
    {
        await _journal!.CreateAsync(world, tickHz, forkedFrom, model.ForReplay());
        _model = model;
        Serve(world);
        if (batchers.Budget.BudgetBytes > 0 && _options.ResidentState && tickHz == 0)
        {
            // With a budget the silo bounds the state it holds; a new on-demand world's state is stored now and would sit
            // outside the budget as host bytes until its first step, so it waits in storage instead (its next call
            // activates it). A real-time world stays: its players join now, and a reactivated world holds their slots.
            DeactivateOnIdle();
        }
    }

    // From here on this activation serves the world, at this state.
    private void Serve(WorldAtTick world)
    {
        (_world, _digest, _scores) = (world, StateDigest.Of(world), PlayerScores.Read(world.State, world.Players));
        _startTick = world.Tick;
        _fanOut!.Remember(CurrentUpdate(world));
        CountActive(world.Model, +1);
    }

    private ReplayModel ModelOf(WorldHead head)
    {
        var id = $"{head.Model}@{head.ModelVersion}";
        _model = batchers.TryGet(id, out var batcher)
            ? new WorldModel(batcher, WorldKey)
            : throw new CorruptWorldDataException(WorldKey, $"it needs model {id}, which this silo does not serve");
        return _model.ForReplay();
    }

    // Another activation wrote this world: stop ticking and go, so that the next call loads what it wrote.
    private void StepAside()
    {
        _ticker!.Stop();
        DeactivateOnIdle();
    }

    private void CountActive(string model, int change)
    {
        metrics.ActiveWorlds.WithLabels(model).Inc(change);
        if (change > 0)
        {
            activeWorlds.Add(WorldKey);
        }
        else
        {
            activeWorlds.Remove(WorldKey);
        }
    }
}
