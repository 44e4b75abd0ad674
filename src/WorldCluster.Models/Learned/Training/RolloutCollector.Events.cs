using WorldCluster.Models.Reference;

namespace WorldCluster.Models.Learned.Training;

/// <summary>The rare ticks the collector counts several times, and who stands where.</summary>
internal sealed partial class RolloutCollector
{
    private static bool DoorEvent(byte[] before, ReferenceBatch batch, int w, long[] players, int top, int left)
    {
        var (row, col) = ((int)players[w * P * 2], (int)players[(w * P * 2) + 1]);
        var (nextRow, nextCol) = ((int)batch.Players[w * P * 2], (int)batch.Players[(w * P * 2) + 1]);
        bool IsDoor(byte cell) => cell is (byte)CellType.OpenDoor or (byte)CellType.ClosedDoor;
        var changedDoor = false;
        for (var dr = -1; dr <= 1 && !changedDoor; dr++)
        {
            for (var dc = -1; dc <= 1; dc++)
            {
                var (r, c) = (row + dr, col + dc);
                if (r >= 0 && c >= 0 && r < N && c < N && IsDoor(before[(r * N) + c]) && before[(r * N) + c] != batch.Cell(w, r, c))
                {
                    changedDoor = true;
                    break;
                }
            }
        }
        var leftView = nextRow < top || nextCol < left || nextRow >= top + V || nextCol >= left + V;
        return changedDoor || leftView || IsDoor(Cell(before, row, col)) || IsDoor(batch.Cell(w, nextRow, nextCol));
    }

    // Whether a player other than the camera's stands in the window's one-cell border (outside the view) before the tick.
    private static bool SomeoneInBorder(ReferenceBatch batch, int w, long[] players, int top, int left)
    {
        for (var slot = 1; slot < P; slot++)
        {
            if (batch.Active[(w * P) + slot] == 0)
            {
                continue;
            }
            var (r, c) = ((int)players[(((w * P) + slot) * 2) + 0] - top, (int)players[(((w * P) + slot) * 2) + 1] - left);
            var inWindow = r >= -1 && r <= V && c >= -1 && c <= V;
            var inView = r >= 0 && r < V && c >= 0 && c < V;
            if (inWindow && !inView)
            {
                return true;
            }
        }
        return false;
    }

    // Whether a player in view moves into a crate: a push, or a push blocked by what lies beyond (a wall, a door, another
    // crate, a gem, a player). Blocked pushes are rarer still than pushes, and a model that has seen too few of them
    // pushes crates through gems and stacks.
    private static bool PushAttempt(byte[] before, ReferenceBatch batch, int w, long[] players, long[] actions, int top, int left)
    {
        for (var slot = 0; slot < P; slot++)
        {
            var action = actions[(w * P) + slot];
            if (batch.Active[(w * P) + slot] == 0 || action < (long)PlayerAction.Up || action > (long)PlayerAction.Right)
            {
                continue;
            }
            var (row, col) = ((int)players[(((w * P) + slot) * 2) + 0], (int)players[(((w * P) + slot) * 2) + 1]);
            if (row < top || row >= top + V || col < left || col >= left + V)
            {
                continue;
            }
            var (dr, dc) = (PlayerAction)action switch { PlayerAction.Up => (-1, 0), PlayerAction.Down => (1, 0), PlayerAction.Left => (0, -1), _ => (0, 1) };
            if (Cell(before, row + dr, col + dc) == (byte)CellType.Crate)
            {
                return true;
            }
        }
        return false;
    }

    // Whether two players in view stand within ContactDistance cells (Manhattan) of each other and one of them moves.
    private static bool Contact(ReferenceBatch batch, int w, long[] players, long[] actions, int top, int left)
    {
        for (var a = 0; a < P; a++)
        {
            for (var b = a + 1; b < P; b++)
            {
                if (batch.Active[(w * P) + a] == 0 || batch.Active[(w * P) + b] == 0)
                {
                    continue;
                }
                var (ra, ca) = ((int)players[(((w * P) + a) * 2) + 0], (int)players[(((w * P) + a) * 2) + 1]);
                var (rb, cb) = ((int)players[(((w * P) + b) * 2) + 0], (int)players[(((w * P) + b) * 2) + 1]);
                var inView = InView(ra, ca, top, left) && InView(rb, cb, top, left);
                var moves = IsMove(actions[(w * P) + a]) || IsMove(actions[(w * P) + b]);
                if (inView && moves && Math.Abs(ra - rb) + Math.Abs(ca - cb) <= ContactDistance)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static bool InView(int row, int col, int top, int left) => row >= top && row < top + V && col >= left && col < left + V;

    private static bool IsMove(long action) => action >= (long)PlayerAction.Up && action <= (long)PlayerAction.Right;

    private static bool AnyoneIn(ReferenceBatch batch, int w, long[] players, int room)
    {
        for (var slot = 0; slot < P; slot++)
        {
            if (batch.Active[(w * P) + slot] != 0
                && ReferenceBatch.RoomOf((int)players[(((w * P) + slot) * 2) + 0], (int)players[(((w * P) + slot) * 2) + 1]) == room)
            {
                return true;
            }
        }
        return false;
    }
}
