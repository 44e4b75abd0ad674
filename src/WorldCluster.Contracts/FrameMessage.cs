using System.Buffers.Binary;
using System.Text.Json;

namespace WorldCluster.Contracts;

/// <summary>
/// The binary WebSocket message that carries one frame: a 4-byte big-endian header length, a UTF-8 JSON header
/// (<c>tick</c>, <c>durableTick</c>, <c>stateDigest</c>, <c>actions</c>, <c>width</c>, <c>height</c>, <c>format</c>,
/// <c>keyframe</c>), then the encoded frame (PNG unless the session asked for another <see cref="StreamFormat"/>).
/// </summary>
public static class FrameMessage
{
    /// <summary>The format of sessions that ask for none.</summary>
    public const string PngFormat = "png";

    /// <summary>Encodes a PNG frame into one message (done once per update per silo, shared by every subscriber).</summary>
    public static byte[] Encode(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return Encode(new StreamFrame(frame.Tick, frame.DurableTick, frame.StateDigest, frame.Actions, frame.Width, frame.Height, PngFormat, true, frame.Png));
    }

    /// <summary>Encodes a frame of any format into one message.</summary>
    public static byte[] Encode(StreamFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var header = JsonSerializer.SerializeToUtf8Bytes(
            new Header(frame.Tick, frame.DurableTick, frame.StateDigest, frame.Actions, frame.Width, frame.Height, frame.Format, frame.Keyframe), WireJson.Options);
        var message = new byte[4 + header.Length + frame.Payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)header.Length);
        header.CopyTo(message, 4);
        frame.Payload.CopyTo(message, 4 + header.Length);
        return message;
    }

    /// <summary>Decodes a PNG message; <see cref="InvalidDataException"/> when it is not one (use <see cref="DecodeStream"/> for other formats).</summary>
    public static Frame Decode(ReadOnlySpan<byte> message)
    {
        var frame = DecodeStream(message);
        if (frame.Format != PngFormat)
        {
            throw new InvalidDataException($"frame format '{frame.Format}' is not png; read it with FrameMessage.DecodeStream");
        }
        return new Frame(frame.Tick, frame.DurableTick, frame.StateDigest, frame.Actions, frame.Width, frame.Height, frame.Payload);
    }

    /// <summary>Decodes a message of any known format; <see cref="InvalidDataException"/> when it is not one.</summary>
    public static StreamFrame DecodeStream(ReadOnlySpan<byte> message)
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
        if (header.Format is null || !StreamFormats.Names.Contains(header.Format))
        {
            throw new InvalidDataException($"unknown frame format '{header.Format}'");
        }
        return new StreamFrame(header.Tick, header.DurableTick, header.StateDigest ?? "", header.Actions ?? [], header.Width, header.Height,
            header.Format, header.Keyframe ?? true, message[(4 + (int)length)..].ToArray());
    }

    private sealed record Header(long Tick, long DurableTick, string? StateDigest, int[]? Actions, int Width, int Height, string? Format, bool? Keyframe);
}
