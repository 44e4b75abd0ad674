using WorldCluster.Models.Reference;

namespace WorldCluster.Models.Learned.Training;

/// <summary>
/// How player 0 moves in training and evaluation rollouts: towards a goal cell along a shortest path (opening closed
/// doors on the way), with a share of random actions; goals in other rooms make the camera travel, so the data holds
/// room changes and door play that uniformly random actions rarely reach.
/// </summary>
internal sealed class ExplorerPolicy
{
    private const int N = ReferenceGeometry.GridSize;
    private static readonly (int Dr, int Dc, long Action)[] Moves = [(-1, 0, 1), (1, 0, 2), (0, -1, 3), (0, 1, 4)];

    private readonly int[] _previous = new int[N * N];
    private readonly Queue<int> _queue = new();

    /// <summary>The next action for player 0 of world <paramref name="w"/> towards <paramref name="goal"/> (flat cell), or null when no path exists or it is there.</summary>
    public long? Towards(ReferenceBatch worlds, int w, int goal, bool mayOpenDoors = true)
    {
        var start = (int)((worlds.Players[w * 8] * N) + worlds.Players[(w * 8) + 1]);
        if (start == goal)
        {
            return null;
        }
        Array.Fill(_previous, -1);
        _previous[start] = start;
        _queue.Clear();
        _queue.Enqueue(start);
        while (_queue.Count > 0)
        {
            var cell = _queue.Dequeue();
            if (cell == goal)
            {
                break;
            }
            foreach (var (dr, dc, _) in Moves)
            {
                var (row, col) = ((cell / N) + dr, (cell % N) + dc);
                if (row < 0 || col < 0 || row >= N || col >= N)
                {
                    continue;
                }
                var next = (row * N) + col;
                var type = (CellType)worlds.Cell(w, row, col);
                var passable = type is CellType.Floor or CellType.Gem or CellType.OpenDoor || (mayOpenDoors && type == CellType.ClosedDoor);
                if (passable && _previous[next] < 0)
                {
                    _previous[next] = cell;
                    _queue.Enqueue(next);
                }
            }
        }
        if (_previous[goal] < 0)
        {
            return null;
        }
        var step = goal;
        while (_previous[step] != start)
        {
            step = _previous[step];
        }
        if ((CellType)worlds.Cell(w, step / N, step % N) == CellType.ClosedDoor)
        {
            return (long)PlayerAction.Interact;
        }
        var (dRow, dCol) = ((step / N) - (start / N), (step % N) - (start % N));
        return Moves.First(m => m.Dr == dRow && m.Dc == dCol).Action;
    }

    /// <summary>A random walkable goal cell (floor) of world <paramref name="w"/>, optionally inside room <paramref name="room"/>.</summary>
    public static int RandomGoal(ReferenceBatch worlds, int w, Random random, int? room = null)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var cell = random.Next(N * N);
            var (row, col) = (cell / N, cell % N);
            if ((room is null || ReferenceBatch.RoomOf(row, col) == room) && worlds.Cell(w, row, col) == (byte)CellType.Floor)
            {
                return cell;
            }
        }
        return (int)((worlds.Players[w * 8] * N) + worlds.Players[(w * 8) + 1]);
    }
}
