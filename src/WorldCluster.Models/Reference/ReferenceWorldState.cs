using System.Buffers.Binary;
using WorldCluster.Models.Contract;

namespace WorldCluster.Models.Reference;

/// <summary>
/// One reference world's state in host memory, readable and editable cell by cell; converts to and from the
/// model-neutral <see cref="WorldState"/> (the tensors of <see cref="ReferenceWorld.ReferenceManifest"/>).
/// </summary>
public sealed class ReferenceWorldState
{
    private const int Cells = ReferenceGeometry.GridSize * ReferenceGeometry.GridSize;

    private readonly byte[] _cells = new byte[Cells];
    private readonly GridPosition[] _players = new GridPosition[ReferenceGeometry.MaxPlayers];
    private readonly bool[] _active = new bool[ReferenceGeometry.MaxPlayers];
    private readonly int[] _scores = new int[ReferenceGeometry.MaxPlayers];

    private ReferenceWorldState()
    {
    }

    /// <summary>The state of the per-tick random number generator (a value in <c>[0, 2^31)</c>).</summary>
    public long Rng { get; set; }

    /// <summary>The cell at <paramref name="row"/>, <paramref name="col"/>.</summary>
    public CellType this[int row, int col]
    {
        get => (CellType)_cells[Index(row, col)];
        set => _cells[Index(row, col)] = (byte)value;
    }

    /// <summary>The cell at <paramref name="position"/>.</summary>
    public CellType this[GridPosition position]
    {
        get => this[position.Row, position.Col];
        set => this[position.Row, position.Col] = value;
    }

    /// <summary>The room the camera shows: the room of player slot 0.</summary>
    public int CameraRoom => _players[0].Room;

    /// <summary>A world of four empty rooms: every room has its wall ring, there are no doors, no objects, no players.</summary>
    public static ReferenceWorldState EmptyRooms()
    {
        var state = new ReferenceWorldState();
        for (var row = 0; row < ReferenceGeometry.GridSize; row++)
        {
            for (var col = 0; col < ReferenceGeometry.GridSize; col++)
            {
                var (r, c) = (row % ReferenceGeometry.RoomSize, col % ReferenceGeometry.RoomSize);
                var onRing = r == 0 || c == 0 || r == ReferenceGeometry.RoomSize - 1 || c == ReferenceGeometry.RoomSize - 1;
                state[row, col] = onRing ? CellType.Wall : CellType.Floor;
            }
        }
        return state;
    }

    /// <summary>Reads a <see cref="WorldState"/> of the reference world; throws <see cref="InvalidDataException"/> when it does not fit the manifest.</summary>
    public static ReferenceWorldState From(WorldState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Validate(ReferenceWorld.ReferenceManifest.State);
        var result = new ReferenceWorldState();
        state.Tensors[0].Data.CopyTo(result._cells, 0);
        var players = state.Tensors[1].Data;
        var active = state.Tensors[2].Data;
        var scores = state.Tensors[3].Data;
        for (var slot = 0; slot < ReferenceGeometry.MaxPlayers; slot++)
        {
            var row = BinaryPrimitives.ReadInt64LittleEndian(players.AsSpan(slot * 16));
            var col = BinaryPrimitives.ReadInt64LittleEndian(players.AsSpan(slot * 16 + 8));
            result._players[slot] = new GridPosition(checked((int)row), checked((int)col));
            result._active[slot] = active[slot] != 0;
            result._scores[slot] = BinaryPrimitives.ReadInt32LittleEndian(scores.AsSpan(slot * 4));
        }
        result.Rng = BinaryPrimitives.ReadInt64LittleEndian(state.Tensors[4].Data);
        return result;
    }

    /// <summary>Writes the state as the model's tensors, in manifest order.</summary>
    public WorldState ToWorldState()
    {
        var specs = ReferenceWorld.ReferenceManifest.State;
        var players = new byte[ReferenceGeometry.MaxPlayers * 16];
        var active = new byte[ReferenceGeometry.MaxPlayers];
        var scores = new byte[ReferenceGeometry.MaxPlayers * 4];
        for (var slot = 0; slot < ReferenceGeometry.MaxPlayers; slot++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(players.AsSpan(slot * 16), _players[slot].Row);
            BinaryPrimitives.WriteInt64LittleEndian(players.AsSpan(slot * 16 + 8), _players[slot].Col);
            active[slot] = _active[slot] ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteInt32LittleEndian(scores.AsSpan(slot * 4), _scores[slot]);
        }
        var rng = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(rng, Rng);
        byte[][] data = [(byte[])_cells.Clone(), players, active, scores, rng];
        return new WorldState([.. specs.Select((s, i) => new StateTensor(s.Name, s.DType, [.. s.Shape], data[i]))]);
    }

    /// <summary>A copy of this state.</summary>
    public ReferenceWorldState Clone() => From(ToWorldState());

    /// <summary>Where player <paramref name="slot"/> stands (inactive slots keep a position that nothing reads).</summary>
    public GridPosition Player(int slot) => _players[CheckSlot(slot)];

    /// <summary>True when player <paramref name="slot"/> is in use.</summary>
    public bool IsActive(int slot) => _active[CheckSlot(slot)];

    /// <summary>Gems player <paramref name="slot"/> has collected.</summary>
    public int Score(int slot) => _scores[CheckSlot(slot)];

    /// <summary>Puts player <paramref name="slot"/> on <paramref name="position"/> and marks the slot active.</summary>
    public void PlacePlayer(int slot, GridPosition position)
    {
        if (!position.IsOnGrid)
        {
            throw new ArgumentOutOfRangeException(nameof(position), position, "position is off the grid");
        }
        _players[CheckSlot(slot)] = position;
        _active[slot] = true;
    }

    /// <summary>Marks player <paramref name="slot"/> active or inactive without moving it.</summary>
    public void SetActive(int slot, bool active) => _active[CheckSlot(slot)] = active;

    /// <summary>Sets the score of player <paramref name="slot"/>.</summary>
    public void SetScore(int slot, int score) => _scores[CheckSlot(slot)] = score;

    /// <summary>Cells of the given type in the whole world.</summary>
    public int Count(CellType type) => _cells.Count(c => c == (byte)type);

    /// <summary>The active player standing on <paramref name="position"/>, or -1.</summary>
    public int PlayerAt(GridPosition position)
    {
        for (var slot = 0; slot < ReferenceGeometry.MaxPlayers; slot++)
        {
            if (_active[slot] && _players[slot] == position)
            {
                return slot;
            }
        }
        return -1;
    }

    private static int Index(int row, int col)
    {
        if (!new GridPosition(row, col).IsOnGrid)
        {
            throw new ArgumentOutOfRangeException(nameof(row), $"cell ({row}, {col}) is off the grid");
        }
        return row * ReferenceGeometry.GridSize + col;
    }

    private static int CheckSlot(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, ReferenceGeometry.MaxPlayers);
        return slot;
    }
}
