using System.Buffers.Binary;
using System.Text.Json;

namespace WorldCluster.Client;

/// <summary>One tick of a world as a session receives it: the tick's header and its frame as PNG.</summary>
/// <param name="Tick">The tick this frame shows.</param>
/// <param name="DurableTick">The latest tick that survives a crash.</param>
/// <param name="StateDigest">Hash of the world state at <paramref name="Tick"/>.</param>
/// <param name="Actions">The actions merged into this tick, one per player slot.</param>
/// <param name="Width">Frame width in pixels.</param>
/// <param name="Height">Frame height in pixels.</param>
/// <param name="Png">The frame as a PNG image.</param>
public sealed record Frame(long Tick, long DurableTick, string StateDigest, int[] Actions, int Width, int Height, byte[] Png)
{
    /// <summary>
    /// Decodes a binary session message: a 4-byte big-endian header length, the UTF-8 JSON header, then the PNG.
    /// </summary>
    public static Frame Decode(ReadOnlySpan<byte> message)
    {
        if (message.Length < 4)
        {
            throw new InvalidDataException("a frame message is at least 4 bytes long");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(message);
        if (length > message.Length - 4)
        {
            throw new InvalidDataException($"frame header length {length} exceeds the message ({message.Length} bytes)");
        }
        var header = JsonSerializer.Deserialize<Header>(message.Slice(4, (int)length), ClientJson.Options)
            ?? throw new InvalidDataException("empty frame header");
        if (header.Format != "png")
        {
            throw new InvalidDataException($"unknown frame format '{header.Format}'");
        }
        return new Frame(header.Tick, header.DurableTick, header.StateDigest, header.Actions, header.Width, header.Height,
            message[(4 + (int)length)..].ToArray());
    }

    private sealed record Header(long Tick, long DurableTick, string StateDigest, int[] Actions, int Width, int Height, string Format);
}
