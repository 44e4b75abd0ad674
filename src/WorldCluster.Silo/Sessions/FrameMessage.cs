using System.Buffers.Binary;
using System.Text.Json;
using WorldCluster.Abstractions;
using WorldCluster.Models.Frames;

namespace WorldCluster.Silo.Sessions;

/// <summary>
/// The binary WebSocket message that carries one frame: a 4-byte big-endian header length, a UTF-8 JSON header
/// (<c>tick</c>, <c>durableTick</c>, <c>stateDigest</c>, <c>actions</c>, <c>width</c>, <c>height</c>, <c>format</c>), then the frame as PNG.
/// </summary>
public static class FrameMessage
{
    /// <summary>Encodes an update into one message (done once per update per silo, shared by every subscriber).</summary>
    public static byte[] Encode(FrameUpdate update)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(
            update.Tick, update.DurableTick, update.StateDigest, [.. update.Actions], update.Frame.Width, update.Frame.Height, "png"), Api.ApiJson.Options);
        var png = PngEncoder.Encode(update.Frame.Pixels, update.Frame.Channels, update.Frame.Height, update.Frame.Width);
        var message = new byte[4 + header.Length + png.Length];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)header.Length);
        header.CopyTo(message, 4);
        png.CopyTo(message, 4 + header.Length);
        return message;
    }

    /// <summary>Decodes a message's header and PNG (clients and tests).</summary>
    public static (Header Header, byte[] Png) Decode(ReadOnlySpan<byte> message)
    {
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(message);
        var header = JsonSerializer.Deserialize<Header>(message.Slice(4, length), Api.ApiJson.Options)
            ?? throw new InvalidDataException("empty frame header");
        return (header, message[(4 + length)..].ToArray());
    }

    /// <summary>The JSON header of a frame message.</summary>
    public sealed record Header(long Tick, long DurableTick, string StateDigest, int[] Actions, int Width, int Height, string Format);
}
