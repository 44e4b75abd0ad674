using static TorchSharp.torch;

namespace WorldCluster.Models.Learned.Training;

/// <summary>Training samples for the dynamics network, packed as bytes: window, context, actions, spawn candidate and the next window.</summary>
internal sealed class DynamicsSamples(int capacity)
{
    private const int W = LearnedGeometry.Window * LearnedGeometry.Window;
    private const int V = LearnedGeometry.View * LearnedGeometry.View;
    private const int C = LearnedGeometry.ContextLength * 2 * V;

    private readonly byte[] _cells = new byte[capacity * W];
    private readonly byte[] _avatars = new byte[capacity * W];
    private readonly byte[] _context = new byte[capacity * C];
    private readonly long[] _actions = new long[capacity * 4];
    private readonly long[] _spawn = new long[capacity];
    private readonly byte[] _nextCells = new byte[capacity * W];
    private readonly byte[] _nextAvatars = new byte[capacity * W];

    /// <summary>Samples held.</summary>
    public int Count { get; private set; }

    /// <summary>Samples that fit.</summary>
    public int Capacity => capacity;

    /// <summary>True when no more samples fit.</summary>
    public bool IsFull => Count == capacity;

    /// <summary>Spans to fill for a new sample; <paramref name="spawn"/> is the window cell of the spawn candidate or -1.</summary>
    public (Memory<byte> Cells, Memory<byte> Avatars, Memory<byte> Context, Memory<long> Actions, Memory<byte> NextCells, Memory<byte> NextAvatars) Add(long spawn)
    {
        var i = Count++;
        _spawn[i] = spawn;
        return (_cells.AsMemory(i * W, W), _avatars.AsMemory(i * W, W), _context.AsMemory(i * C, C), _actions.AsMemory(i * 4, 4),
            _nextCells.AsMemory(i * W, W), _nextAvatars.AsMemory(i * W, W));
    }

    /// <summary>Adds a copy of the latest sample (so rare events weigh more); false when no more samples fit.</summary>
    public bool RepeatLast()
    {
        if (Count == 0 || IsFull)
        {
            return false;
        }
        var (from, i) = (Count - 1, Count++);
        _spawn[i] = _spawn[from];
        Array.Copy(_cells, from * W, _cells, i * W, W);
        Array.Copy(_avatars, from * W, _avatars, i * W, W);
        Array.Copy(_context, from * C, _context, i * C, C);
        Array.Copy(_actions, from * 4, _actions, i * 4, 4);
        Array.Copy(_nextCells, from * W, _nextCells, i * W, W);
        Array.Copy(_nextAvatars, from * W, _nextAvatars, i * W, W);
        return true;
    }

    /// <summary>Tensors for the samples at <paramref name="indices"/>: window cells, avatars, context, actions, spawn map, next cells, next avatars.</summary>
    public Tensor[] Batch(IReadOnlyList<int> indices)
    {
        var n = indices.Count;
        var cells = new byte[n * W];
        var avatars = new byte[n * W];
        var context = new byte[n * C];
        var actions = new long[n * 4];
        var spawn = new float[n * W];
        var nextCells = new byte[n * W];
        var nextAvatars = new byte[n * W];
        for (var k = 0; k < n; k++)
        {
            var i = indices[k];
            Array.Copy(_cells, i * W, cells, k * W, W);
            Array.Copy(_avatars, i * W, avatars, k * W, W);
            Array.Copy(_context, i * C, context, k * C, C);
            Array.Copy(_actions, i * 4, actions, k * 4, 4);
            Array.Copy(_nextCells, i * W, nextCells, k * W, W);
            Array.Copy(_nextAvatars, i * W, nextAvatars, k * W, W);
            if (_spawn[i] >= 0)
            {
                spawn[(k * W) + _spawn[i]] = 1f;
            }
        }
        const int S = LearnedGeometry.Window;
        const int V1 = LearnedGeometry.View;
        return
        [
            tensor(cells, [n, S, S]), tensor(avatars, [n, S, S]), tensor(context, [n, LearnedGeometry.ContextLength, 2, V1, V1]),
            tensor(actions, [n, 4]), tensor(spawn, [n, S, S]), tensor(nextCells, [n, S, S]), tensor(nextAvatars, [n, S, S]),
        ];
    }
}
