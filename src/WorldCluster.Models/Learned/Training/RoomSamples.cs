using WorldCluster.Models.Torch;
using static TorchSharp.torch;

namespace WorldCluster.Models.Learned.Training;

/// <summary>
/// Training samples for the frame encoder and decoder (a camera frame and its true tokens) and for the memory updater
/// (a room out of view, a spawn candidate on it, the room a tick later).
/// </summary>
internal sealed class RoomSamples(int frames, int updates)
{
    private const int V = LearnedGeometry.View * LearnedGeometry.View;
    private const int F = 3 * LearnedGeometry.View * LearnedGeometry.Tile * LearnedGeometry.View * LearnedGeometry.Tile;

    private readonly byte[] _frames = new byte[frames * F];
    private readonly byte[] _frameCells = new byte[frames * V];
    private readonly byte[] _frameAvatars = new byte[frames * V];
    private readonly byte[] _rooms = new byte[updates * V];
    private readonly long[] _spots = new long[updates];
    private readonly byte[] _nextRooms = new byte[updates * V];

    /// <summary>Frames held.</summary>
    public int FrameCount { get; private set; }

    /// <summary>Updater samples held.</summary>
    public int UpdateCount { get; private set; }

    /// <summary>True when both kinds are full.</summary>
    public bool IsFull => FrameCount == frames && UpdateCount == updates;

    /// <summary>Spans for a new frame sample, or empty spans when frames are full.</summary>
    public (Memory<byte> Frame, Memory<byte> Cells, Memory<byte> Avatars) AddFrame()
    {
        if (FrameCount == frames)
        {
            return (Memory<byte>.Empty, Memory<byte>.Empty, Memory<byte>.Empty);
        }
        var i = FrameCount++;
        return (_frames.AsMemory(i * F, F), _frameCells.AsMemory(i * V, V), _frameAvatars.AsMemory(i * V, V));
    }

    /// <summary>Spans for a new updater sample, or empty spans when updates are full.</summary>
    public (Memory<byte> Room, Memory<byte> NextRoom) AddUpdate(long spot)
    {
        if (UpdateCount == updates)
        {
            return (Memory<byte>.Empty, Memory<byte>.Empty);
        }
        var i = UpdateCount++;
        _spots[i] = spot;
        return (_rooms.AsMemory(i * V, V), _nextRooms.AsMemory(i * V, V));
    }

    /// <summary>Frames (float, [0, 1]), cells and avatars for frame samples at <paramref name="indices"/>.</summary>
    public Tensor[] FrameBatch(IReadOnlyList<int> indices)
    {
        var n = indices.Count;
        var frameBytes = new byte[n * F];
        var cells = new byte[n * V];
        var avatars = new byte[n * V];
        for (var k = 0; k < n; k++)
        {
            Array.Copy(_frames, indices[k] * F, frameBytes, k * F, F);
            Array.Copy(_frameCells, indices[k] * V, cells, k * V, V);
            Array.Copy(_frameAvatars, indices[k] * V, avatars, k * V, V);
        }
        const int S = LearnedGeometry.View;
        const int P = S * LearnedGeometry.Tile;
        return [tensor(frameBytes, [n, 3, P, P]).to(ScalarType.Float32).div_(Scalars.Of(255.0)), tensor(cells, [n, S, S]), tensor(avatars, [n, S, S])];
    }

    /// <summary>Updater inputs <c>[n, 7, 16, 16]</c> and targets <c>[n, 16, 16]</c> for samples at <paramref name="indices"/>.</summary>
    public Tensor[] UpdateBatch(IReadOnlyList<int> indices)
    {
        var n = indices.Count;
        var rooms = new byte[n * V];
        var spots = new float[n * V];
        var next = new byte[n * V];
        for (var k = 0; k < n; k++)
        {
            Array.Copy(_rooms, indices[k] * V, rooms, k * V, V);
            Array.Copy(_nextRooms, indices[k] * V, next, k * V, V);
            spots[(k * V) + _spots[indices[k]]] = 1f;
        }
        const int S = LearnedGeometry.View;
        var input = cat([LatentCodec.Classes(tensor(rooms, [n, S, S]), LearnedGeometry.CellClasses), tensor(spots, [n, 1, S, S])], 1);
        return [input, tensor(next, [n, S, S]).to(ScalarType.Int64)];
    }
}
