using System.Buffers.Binary;
using System.Text.Json;

namespace WorldCluster.Contracts;

/// <summary>
/// The binary WebSocket message that carries one frame: a 4-byte big-endian header length, a UTF-8 JSON header
/// (<c>tick</c>, <c>durableTick</c>, <c>stateDigest</c>, <c>actions</c>, <c>width</c>, <c>height</c>, <c>format</c>), then the frame as PNG.
/// </summary>
public static class FrameMessage
{
    /// <summary>The only frame format sessions send today.</summary>
    public const string PngFormat = "png";

    /// <summary>Encodes a frame into one message (done once per update per silo, shared by every subscriber).</summary>
    public static byte[] Encode(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var header = JsonSerializer.SerializeToUtf8Bytes(
            new Header(frame.Tick, frame.DurableTick, frame.StateDigest, frame.Actions, frame.Width, frame.Height, PngFormat), WireJson.Options);
        var message = new byte[4 + header.Length + frame.Png.Length];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)header.Length);
        header.CopyTo(message, 4);
        frame.Png.CopyTo(message, 4 + header.Length);
        return message;
    }

    /// <summary>Decodes a message; <see cref="InvalidDataException"/> when it is not one.</summary>
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
        Header header;
        try
        {
            header = JsonSerializer.Deserialize<Header>(message.Slice(4, (int)length), WireJson.Options)
                ?? throw new InvalidDataException("empty frame header");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the frame header is not valid JSON: {e.Message}", e);
        }
        if (header.Format != PngFormat)
        {
            throw new InvalidDataException($"unknown frame format '{header.Format}'");
        }
        return new Frame(header.Tick, header.DurableTick, header.StateDigest ?? "", header.Actions ?? [], header.Width, header.Height,
            message[(4 + (int)length)..].ToArray());
    }

    private sealed record Header(long Tick, long DurableTick, string? StateDigest, int[]? Actions, int Width, int Height, string? Format);
}
