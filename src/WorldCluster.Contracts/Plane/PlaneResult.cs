using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace WorldCluster.Contracts.Plane;

/// <summary>
/// The Result message, written in place. Body at byte 16: <c>u16 C, H, W, K</c> (frame shape, reward components); at 24
/// <c>i64 ticks[n]</c>, <c>i64 durable_ticks[n]</c>, <c>f32 rewards[n × K]</c>, <c>u16 status[n]</c> (0, or the HTTP status
/// of a failed item), <c>u8 terminated[n]</c>, <c>u8 truncated[n]</c>, <c>u8 digests[n × 32]</c>, then (unless
/// <see cref="PlaneOptions.NoFrames"/>) <c>u8 frames[n × C × H × W]</c>, channels first. Entries follow the request's order.
/// </summary>
public sealed class PlaneResult
{
    private readonly int _ticks;
    private readonly int _durable;
    private readonly int _rewards;
    private readonly int _status;
    private readonly int _terminated;
    private readonly int _truncated;
    private readonly int _digests;
    private readonly int _frames;

    private PlaneResult(byte[] message, PlaneHeader header, int[] shape, int components)
    {
        Message = message;
        Header = header;
        Shape = shape;
        Components = components;
        var n = header.Count;
        _ticks = 24;
        _durable = _ticks + (8 * n);
        _rewards = _durable + (8 * n);
        _status = _rewards + (4 * n * components);
        _terminated = _status + (2 * n);
        _truncated = _terminated + n;
        _digests = _truncated + n;
        _frames = _digests + (PlaneProtocol.DigestSize * n);
    }

    /// <summary>The message bytes.</summary>
    public byte[] Message { get; }

    /// <summary>The header (its count is the number of entries).</summary>
    public PlaneHeader Header { get; }

    /// <summary>The frame shape <c>[C, H, W]</c>.</summary>
    public int[] Shape { get; }

    /// <summary>Reward components per entry (player slots).</summary>
    public int Components { get; }

    private int FrameSize => Shape[0] * Shape[1] * Shape[2];

    /// <summary>A zeroed result of <paramref name="count"/> entries to fill with <see cref="Set"/>.</summary>
    public static PlaneResult Create(uint requestId, int count, int[] shape, int components, bool frames)
    {
        var header = new PlaneHeader(PlaneKind.Result, frames ? PlaneOptions.None : PlaneOptions.NoFrames, requestId, count);
        var size = 24 + (count * (16 + (4 * components) + 4 + PlaneProtocol.DigestSize)) + (frames ? count * shape[0] * shape[1] * shape[2] : 0);
        var message = new byte[size];
        header.Write(message);
        for (var i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(16 + (2 * i)), (ushort)shape[i]);
        }
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(22), (ushort)components);
        return new PlaneResult(message, header, shape, components);
    }

    /// <summary>Reads a Result message (what a client does); throws <see cref="FormatException"/> when it is not one.</summary>
    public static PlaneResult Read(byte[] message)
    {
        var header = PlaneHeader.Read(message, out var problem) ?? throw new FormatException(problem);
        if (header.Kind != PlaneKind.Result || message.Length < 24)
        {
            throw new FormatException($"not a result message (kind 0x{(byte)header.Kind:x2}, {message.Length} bytes)");
        }
        int[] shape = [BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(16)), BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(18)), BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(20))];
        var result = new PlaneResult(message, header, shape, BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(22)));
        var expected = result._frames + ((header.Flags & PlaneOptions.NoFrames) == 0 ? header.Count * result.FrameSize : 0);
        return message.Length == expected ? result : throw new FormatException($"result of {message.Length} bytes, expected {expected}");
    }

    /// <summary>Fills entry <paramref name="i"/>; <paramref name="digestHex"/> is the 64-hex-digit state digest.</summary>
    public void Set(int i, long tick, long durableTick, IReadOnlyList<int>? rewards, bool truncated, string digestHex, ReadOnlySpan<byte> pixels)
    {
        var m = Message.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(m[(_ticks + (8 * i))..], tick);
        BinaryPrimitives.WriteInt64LittleEndian(m[(_durable + (8 * i))..], durableTick);
        for (var k = 0; rewards is not null && k < Components && k < rewards.Count; k++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(m[(_rewards + (4 * ((i * Components) + k)))..], rewards[k]);
        }
        m[_truncated + i] = truncated ? (byte)1 : (byte)0;
        Convert.FromHexString(digestHex, m.Slice(_digests + (PlaneProtocol.DigestSize * i), PlaneProtocol.DigestSize), out _, out _);
        if ((Header.Flags & PlaneOptions.NoFrames) == 0)
        {
            pixels.CopyTo(m.Slice(_frames + (FrameSize * i), FrameSize));
        }
    }

    /// <summary>Marks entry <paramref name="i"/> failed with an HTTP status (it has no tick, digest or frame).</summary>
    public void Fail(int i, ushort status) => BinaryPrimitives.WriteUInt16LittleEndian(Message.AsSpan(_status + (2 * i)), status);

    /// <summary>Entry <paramref name="i"/>'s tick.</summary>
    public long Tick(int i) => BinaryPrimitives.ReadInt64LittleEndian(Message.AsSpan(_ticks + (8 * i)));

    /// <summary>Entry <paramref name="i"/>'s status: 0, or the HTTP status of its failure.</summary>
    public ushort Status(int i) => BinaryPrimitives.ReadUInt16LittleEndian(Message.AsSpan(_status + (2 * i)));

    /// <summary>Entry <paramref name="i"/>'s rewards, one per component.</summary>
    public ReadOnlySpan<float> Rewards(int i) => MemoryMarshal.Cast<byte, float>(Message.AsSpan(_rewards + (4 * i * Components), 4 * Components));

    /// <summary>Whether entry <paramref name="i"/> reached its bind's episode length.</summary>
    public bool Truncated(int i) => Message[_truncated + i] != 0;

    /// <summary>Entry <paramref name="i"/>'s state digest as 64 lowercase hex digits.</summary>
    public string Digest(int i) => Convert.ToHexStringLower(Message.AsSpan(_digests + (PlaneProtocol.DigestSize * i), PlaneProtocol.DigestSize));

    /// <summary>Entry <paramref name="i"/>'s frame, <c>[C, H, W]</c> uint8 (empty without frames).</summary>
    public ReadOnlySpan<byte> Frame(int i) => (Header.Flags & PlaneOptions.NoFrames) != 0 ? [] : Message.AsSpan(_frames + (FrameSize * i), FrameSize);
}
