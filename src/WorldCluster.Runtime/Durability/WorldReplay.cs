using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Durability;

/// <summary>
/// Rebuilds a world at a tick from what its store holds: a snapshot, checked against its hash and the head, and the ticks
/// of its journal segment replayed on top (re-run on the model where it replays bit for bit, else taken as journaled),
/// each checked against the digest clients were told. Anything that does not fit is <see cref="CorruptWorldDataException"/>.
/// </summary>
/// <param name="store">Where the world is kept.</param>
/// <param name="worldId">The world.</param>
/// <param name="model">The model the world was created with.</param>
internal sealed class WorldReplay(IWorldStore store, string worldId, ReplayModel model)
{
    /// <summary>Loads a snapshot and replays its journal segment, up to a tick or to its end: the state, the segment's length, and whether it ends torn.</summary>
    public async Task<(WorldAtTick World, long JournalLength, bool TornTail)> LoadAsync(WorldHead head, SnapshotRef from, long? upToTick, CancellationToken cancellationToken)
    {
        var world = await LoadSnapshotAsync(head, from, cancellationToken);
        var journal = await store.ReadJournalAsync(worldId, from.Segment, cancellationToken) ?? [];
        var tail = new JournalTail();
        foreach (var record in JournalCodec.Decode(worldId, from.Segment, journal, model.Manifest.StoredState, tail))
        {
            if (record is not TickRecord tick)
            {
                continue;
            }
            world = await ReplayTickAsync(world, tick);
            if (world.Tick == upToTick)
            {
                // Stop here: what follows is not needed (and may end in a torn tail another activation already fenced off).
                break;
            }
        }
        if (upToTick is { } wanted && world.Tick != wanted)
        {
            throw new CorruptWorldDataException(worldId, $"tick {wanted} is not in its journal (it ends at tick {world.Tick})");
        }
        return (world, journal.Length, tail.Torn);
    }

    /// <summary>Reads a snapshot the head lists and checks it against its hash, the head and the model's stored state.</summary>
    public async Task<WorldAtTick> LoadSnapshotAsync(WorldHead head, SnapshotRef from, CancellationToken cancellationToken)
    {
        var bytes = await store.ReadSnapshotAsync(from.Hash, cancellationToken)
            ?? throw new CorruptWorldDataException(worldId, $"its snapshot {from.Hash} (tick {from.Tick}) is missing");
        var world = DecodeSnapshot(worldId, from.Hash, bytes);
        if (world.Tick != from.Tick || world.Model != head.Model || world.Players != head.Players)
        {
            throw new CorruptWorldDataException(worldId, $"snapshot {from.Hash} does not match the world head");
        }
        try
        {
            world.State.Validate(model.Manifest.StoredState);
        }
        catch (InvalidDataException e)
        {
            throw new CorruptWorldDataException(worldId, e.Message, e);
        }
        return world;
    }

    /// <summary>Replays one journaled tick on top of <paramref name="world"/> and checks it reproduces the recorded digest.</summary>
    public async Task<WorldAtTick> ReplayTickAsync(WorldAtTick world, TickRecord record)
    {
        if (record.Tick != world.Tick + 1)
        {
            throw new CorruptWorldDataException(worldId, $"its journal jumps from tick {world.Tick} to {record.Tick}");
        }
        WorldAtTick next;
        if (record.State is not null)
        {
            next = world with { Tick = record.Tick, State = record.State, Frame = record.Frame! };
        }
        else if (model.Manifest.BatchInvariant)
        {
            var result = await model.Step(world.State, record.Actions);
            next = world with { Tick = record.Tick, State = result.State, Frame = result.Frame };
        }
        else
        {
            throw new CorruptWorldDataException(worldId, $"tick {record.Tick} has no stored state and model {model.Manifest.Id} cannot be replayed exactly");
        }
        if (StateDigest.Of(next) != record.Digest)
        {
            // Never continue from a state that differs from the one clients were told about.
            throw new CorruptWorldDataException(worldId, $"replaying tick {record.Tick} did not reproduce its recorded state digest");
        }
        return next;
    }

    /// <summary>Decodes a stored snapshot after checking it is the one its hash names.</summary>
    public static WorldAtTick DecodeSnapshot(string worldId, string hash, byte[] bytes)
    {
        if (WorldSnapshotFormat.Hash(bytes) != hash)
        {
            throw new CorruptWorldDataException(worldId, $"snapshot {hash} does not match its hash (damaged or truncated)");
        }
        return WorldSnapshotFormat.Decode(worldId, bytes);
    }
}
