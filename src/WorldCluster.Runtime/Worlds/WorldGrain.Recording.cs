using WorldCluster.Abstractions;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Worlds;

/// <summary>Recordings: the world's past rebuilt tick by tick from its journal, a chunk per call.</summary>
public sealed partial class WorldGrain
{
    /// <inheritdoc />
    /// <remarks>
    /// The call interleaves with the world's ticks (<c>[AlwaysInterleave]</c>), so it changes nothing of the grain's: it
    /// reads the fields once, waits for the journal writer, and replays on copies read from the store against the head
    /// as it stood then (heads are immutable records).
    /// </remarks>
    public async Task<IReadOnlyList<RecordedTick>> ReplayRangeAsync(RecordingRequest request)
    {
        var world = RequireWorld();
        var model = RequireModel();
        var (from, to) = (request.FromTick, request.ToTick);
        if (from < 0 || from > to)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, $"fromTick and toTick must be ticks with fromTick ≤ toTick, not {from}..{to}");
        }
        if (to - from + 1 > RecordingRequest.MaxTicks)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest,
                $"a recording spans at most {RecordingRequest.MaxTicks} ticks (toTick - fromTick + 1), not {to - from + 1}");
        }
        if (to > world.Tick || from < Head.OldestReachableTick)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest,
                $"world '{WorldKey}' can be recorded over ticks {Head.OldestReachableTick}..{world.Tick} (fromTick..toTick), not {from}..{to}");
        }
        if (_journal!.DurableTick < to)
        {
            // Replay reads the journal, so the ticks queued for the background writer must be written first (as for a fork).
            await _journal.DrainOrUnavailableAsync(world.Tick);
        }
        if (_journal.DurableTick < to)
        {
            throw new WorldRequestException(WorldErrorKind.Unavailable, $"world '{WorldKey}' has not yet written tick {to} to storage; retry");
        }
        var head = Head;
        var count = (int)Math.Min(RecordingRequest.ChunkTicks, to - from + 1);
        try
        {
            var ticks = await new WorldRangeReplay(store, WorldKey, model.ForReplay()).ReplayAsync(head, from, count, CancellationToken.None);
            if (ticks.Count != count)
            {
                throw new CorruptWorldDataException(WorldKey, $"its history ends at tick {from + ticks.Count - 1}, before tick {from + count - 1}");
            }
            return [.. ticks.Select(t => new RecordedTick(t.World.Tick, t.Digest, t.Actions, Frame(t.World)))];
        }
        catch (CorruptWorldDataException e)
        {
            // Also what a range sees whose oldest snapshot the live world dropped while this chunk was replayed (SnapshotHistory).
            throw new WorldRequestException(WorldErrorKind.Unprocessable, e.Message);
        }
    }
}
