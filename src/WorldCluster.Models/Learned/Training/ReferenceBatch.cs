using WorldCluster.Models.Contract;
using WorldCluster.Models.Reference;
using static TorchSharp.torch;

namespace WorldCluster.Models.Learned.Training;

/// <summary>
/// A batch of reference worlds stepped with <see cref="ReferenceWorld"/> and mirrored on the host after every tick, so
/// policies and sample extraction read plain arrays.
/// </summary>
internal sealed class ReferenceBatch : IDisposable
{
    private const int N = ReferenceGeometry.GridSize;
    private const int P = ReferenceGeometry.MaxPlayers;

    private readonly ReferenceWorld _reference = new();

    /// <summary>Starts <paramref name="seeds"/>.Count worlds.</summary>
    public ReferenceBatch(IReadOnlyList<WorldSeed> seeds)
    {
        Count = seeds.Count;
        Cells = new byte[Count * N * N];
        Players = new long[Count * P * 2];
        Active = new byte[Count * P];
        Rng = new long[Count];
        Scores = new int[Count * P];
        for (var w = 0; w < Count; w++)
        {
            Reset(w, seeds[w]);
        }
    }

    /// <summary>Worlds in the batch.</summary>
    public int Count { get; }

    /// <summary>Cells, <c>[world * 1024 + row * 32 + col]</c>.</summary>
    public byte[] Cells { get; }

    /// <summary>Player positions, <c>[(world * 4 + slot) * 2 + (0 row | 1 col)]</c>.</summary>
    public long[] Players { get; }

    /// <summary>Active slots, <c>[world * 4 + slot]</c>.</summary>
    public byte[] Active { get; }

    /// <summary>The latest frame of each world, <c>[world * 12288 + ...]</c> (uint8 CHW), after the last <see cref="Step"/>.</summary>
    public byte[] Frames { get; private set; } = [];

    /// <summary>Noise stream states; callers may overwrite one before a tick to force a spawn.</summary>
    public long[] Rng { get; }

    private int[] Scores { get; }

    /// <summary>Replaces world <paramref name="w"/> by a fresh one.</summary>
    public void Reset(int w, WorldSeed seed)
    {
        var state = ReferenceWorldGenerator.Generate(seed);
        for (var row = 0; row < N; row++)
        {
            for (var col = 0; col < N; col++)
            {
                Cells[(w * N * N) + (row * N) + col] = (byte)state[row, col];
            }
        }
        for (var slot = 0; slot < P; slot++)
        {
            var at = state.Player(slot);
            Players[(((w * P) + slot) * 2) + 0] = at.Row;
            Players[(((w * P) + slot) * 2) + 1] = at.Col;
            Active[(w * P) + slot] = state.IsActive(slot) ? (byte)1 : (byte)0;
        }
        Rng[w] = state.Rng;
        Array.Clear(Scores, w * P, P);
    }

    /// <summary>The room of player 0 in world <paramref name="w"/>.</summary>
    public int CameraRoom(int w) =>
        RoomOf((int)Players[w * P * 2], (int)Players[(w * P * 2) + 1]);

    /// <summary>The room holding cell (row, col).</summary>
    public static int RoomOf(int row, int col) => ReferenceGeometry.RoomOf(row, col);

    /// <summary>The cell at (row, col) of world <paramref name="w"/>; outside the grid: wall.</summary>
    public byte Cell(int w, int row, int col) =>
        row < 0 || col < 0 || row >= N || col >= N ? (byte)CellType.Wall : Cells[(w * N * N) + (row * N) + col];

    /// <summary>
    /// Slot <paramref name="slot"/>'s <paramref name="action"/> (a move, 1 to 4) if it stays in its room and off doors,
    /// else a no-op: wandering that never leaves the room.
    /// </summary>
    public long StayIn(int w, int slot, int action)
    {
        var (row, col) = ((int)Players[((w * P) + slot) * 2], (int)Players[(((w * P) + slot) * 2) + 1]);
        var (dr, dc) = action switch { 1 => (-1, 0), 2 => (1, 0), 3 => (0, -1), _ => (0, 1) };
        var (r, c) = (row + dr, col + dc);
        var inside = r >= 0 && c >= 0 && r < N && c < N && RoomOf(r, c) == RoomOf(row, col);
        var door = inside && Cell(w, r, c) is (byte)CellType.OpenDoor or (byte)CellType.ClosedDoor;
        return inside && !door ? action : 0;
    }

    /// <summary>Advances every world one tick with <paramref name="actions"/> (<c>[world * 4 + slot]</c>).</summary>
    public void Step(long[] actions)
    {
        using var scope = NewDisposeScope();
        var state = new[]
        {
            tensor(Cells, [Count, N, N]),
            tensor(Players, [Count, P, 2]),
            tensor(Active, [Count, P]),
            tensor(Scores, [Count, P]),
            tensor(Rng, [Count, 1]),
        };
        var output = _reference.Step(state, tensor(actions, [Count, P]));
        output.State[0].data<byte>().CopyTo(Cells, 0);
        output.State[1].data<long>().CopyTo(Players, 0);
        output.State[3].data<int>().CopyTo(Scores, 0);
        output.State[4].data<long>().CopyTo(Rng, 0);
        if (Frames.Length == 0)
        {
            Frames = new byte[output.Frames.numel()];
        }
        output.Frames.data<byte>().CopyTo(Frames, 0);
    }

    /// <summary>Frees the reference model.</summary>
    public void Dispose() => _reference.Dispose();
}
