using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Durability;

/// <summary>
/// Rebuilds a run of consecutive ticks of a world's past, for recordings: from the newest snapshot before the first tick,
/// replaying its journal segment and, where the run goes on past it, the next snapshot's segment, and so on. Each tick is
/// checked against its journaled digest and each snapshot crossed against the replayed state, so what comes back is the
/// history clients were told, or <see cref="CorruptWorldDataException"/>. It works on copies read from the store; the
/// live world is never touched.
/// </summary>
/// <remarks>
/// A call costs the ticks from that snapshot to the end of the run: with snapshots every <c>SnapshotEvery</c> ticks a chunk
/// of n ticks replays at most <c>SnapshotEvery + n</c> steps.
/// </remarks>
/// <param name="store">Where the world is kept.</param>
/// <param name="worldId">The world.</param>
/// <param name="model">The model the world was created with.</param>
internal sealed class WorldRangeReplay(IWorldStore store, string worldId, ReplayModel model)
{
    private readonly WorldReplay _replay = new(store, worldId, model);

    /// <summary>
    /// The ticks from <paramref name="fromTick"/> on, at most <paramref name="count"/>, as far as the head's history goes.
    /// The first tick the history holds (its oldest snapshot's) comes with no actions: it was not stepped in this history.
    /// </summary>
    public async Task<IReadOnlyList<(WorldAtTick World, string Digest, int[]? Actions)>> ReplayAsync(
        WorldHead head, long fromTick, int count, CancellationToken cancellationToken)
    {
        // The newest snapshot strictly before the first tick, so that the first tick's own record (its actions) is replayed too.
        var index = head.Snapshots.Count - 1;
        while (index > 0 && head.Snapshots[index].Tick >= fromTick)
        {
            index--;
        }
        var ticks = new List<(WorldAtTick, string, int[]?)>(count);
        var world = await _replay.LoadSnapshotAsync(head, head.Snapshots[index], cancellationToken);
        if (world.Tick >= fromTick)
        {
            ticks.Add((world, StateDigest.Of(world), null));
        }
        for (var first = index; ticks.Count < count && index < head.Snapshots.Count; index++)
        {
            var snapshot = head.Snapshots[index];
            if (snapshot.Tick != world.Tick)
            {
                throw new CorruptWorldDataException(worldId, $"its journal reaches tick {world.Tick} where snapshot {snapshot.Hash} starts at tick {snapshot.Tick}");
            }
            if (index != first)
            {
                // Crossing into a later segment: that snapshot must be the state replaying reached.
                var stored = await _replay.LoadSnapshotAsync(head, snapshot, cancellationToken);
                if (StateDigest.Of(stored) != StateDigest.Of(world))
                {
                    throw new CorruptWorldDataException(worldId, $"snapshot {snapshot.Hash} at tick {snapshot.Tick} differs from the state its journal replays to");
                }
            }
            var journal = await store.ReadJournalAsync(worldId, snapshot.Segment, cancellationToken) ?? [];
            foreach (var record in JournalCodec.Decode(worldId, snapshot.Segment, journal, model.Manifest.StoredState, new JournalTail()))
            {
                if (record is not TickRecord tick)
                {
                    continue;
                }
                cancellationToken.ThrowIfCancellationRequested();
                world = await _replay.ReplayTickAsync(world, tick);
                if (world.Tick >= fromTick)
                {
                    ticks.Add((world, tick.Digest, tick.Actions));
                    if (ticks.Count == count)
                    {
                        break;
                    }
                }
            }
        }
        return ticks;
    }
}
