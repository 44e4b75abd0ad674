using WorldCluster.Abstractions;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Worlds;

/// <summary>Recordings: the world's past rebuilt tick by tick from its journal, a chunk per call.</summary>
public sealed partial class WorldGrain
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<RecordedTick>> ReplayRangeAsync(RecordingRequest request)
    {
        var world = RequireWorld();
        var model = RequireModel();
        var (from, to) = (request.FromTick, request.ToTick);
        if (from < 0 || from > to)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, $"a recording runs from a tick to a later or equal one, not {from}..{to}");
        }
        if (to - from + 1 > RecordingRequest.MaxTicks)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest,
                $"a recording spans at most {RecordingRequest.MaxTicks} ticks, not {to - from + 1}");
        }
        if (to > _journal!.DurableTick)
        {
            // Replay reads the journal, so the ticks queued for the background writer must be written first (as for a fork).
            await _journal.DrainOrUnavailableAsync(world.Tick);
        }
        if (to > world.Tick || from < Head.OldestReachableTick)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest,
                $"world '{WorldKey}' can be recorded over ticks {Head.OldestReachableTick}..{world.Tick}, not {from}..{to}");
        }
        var count = (int)Math.Min(RecordingRequest.ChunkTicks, to - from + 1);
        try
        {
            // The head is an immutable record: the replay reads the history as it stands now, on copies of its states.
            var ticks = await new WorldRangeReplay(store, WorldKey, model.ForReplay()).ReplayAsync(Head, from, count, CancellationToken.None);
            if (ticks.Count != count)
            {
                throw new CorruptWorldDataException(WorldKey, $"its history ends at tick {from + ticks.Count - 1}, before tick {from + count - 1}");
            }
            return [.. ticks.Select(t => new RecordedTick(t.World.Tick, t.Digest, t.Actions, Frame(t.World)))];
        }
        catch (CorruptWorldDataException e)
        {
            throw new WorldRequestException(WorldErrorKind.Unprocessable, e.Message);
        }
    }
}
