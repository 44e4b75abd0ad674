using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace WorldCluster.Contracts.Tests;

public sealed class FrameMessageTests
{
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3];

    [Fact]
    public void A_frame_survives_encoding_and_decoding()
    {
        var frame = new Frame(Tick: 41, DurableTick: 40, StateDigest: "d1g", Actions: [2, 0, 5], Width: 64, Height: 48, Png);

        var decoded = FrameMessage.Decode(FrameMessage.Encode(frame));

        Assert.Equal((41L, 40L, "d1g", 64, 48), (decoded.Tick, decoded.DurableTick, decoded.StateDigest, decoded.Width, decoded.Height));
        Assert.Equal([2, 0, 5], decoded.Actions);
        Assert.Equal(Png, decoded.Png);
    }

    [Fact]
    public void The_header_is_camel_case_json_behind_a_big_endian_length()
    {
        var message = FrameMessage.Encode(new Frame(7, 6, "x", [1], 2, 3, Png));

        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(message);
        using var header = JsonDocument.Parse(message.AsMemory(4, length));
        var names = header.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["tick", "durableTick", "stateDigest", "actions", "width", "height", "format", "keyframe"], names);
        Assert.Equal("png", header.RootElement.GetProperty("format").GetString());
        Assert.Equal(Png, message[(4 + length)..]);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 1 })]
    [InlineData(new byte[] { 0, 0, 1, 0, (byte)'{', (byte)'}' })]
    [InlineData(new byte[] { 0, 0, 0, 2, (byte)'[', (byte)'{' })]
    public void A_message_that_is_not_a_frame_is_refused(byte[] message)
    {
        Assert.Throws<InvalidDataException>(() => FrameMessage.Decode(message));
    }

    [Fact]
    public void A_png_reader_refuses_other_formats_and_names_them()
    {
        var message = Message("""{"tick":1,"durableTick":1,"stateDigest":"x","actions":[],"width":1,"height":1,"format":"webp"}""");

        var e = Assert.Throws<InvalidDataException>(() => FrameMessage.Decode(message));
        Assert.Contains("webp", e.Message, StringComparison.Ordinal);
        Assert.Equal("webp", FrameMessage.DecodeStream(message).Format);
    }

    [Fact]
    public void An_unknown_format_is_refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => FrameMessage.DecodeStream(
            Message("""{"tick":1,"durableTick":1,"stateDigest":"x","actions":[],"width":1,"height":1,"format":"gif"}""")));
        Assert.Contains("gif", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_video_frame_keeps_its_format_keyframe_flag_and_payload()
    {
        var frame = new StreamFrame(9, 8, "d", [1, 2], 64, 64, "vp8", Keyframe: false, [1, 2, 3]);

        var decoded = StreamFrame.Decode(FrameMessage.Encode(frame));

        Assert.Equal((9L, 8L, "vp8", false), (decoded.Tick, decoded.DurableTick, decoded.Format, decoded.Keyframe));
        Assert.Equal([1, 2, 3], decoded.Payload);
    }

    [Theory]
    [InlineData(null, StreamFormat.Png)]
    [InlineData("png", StreamFormat.Png)]
    [InlineData("jpeg", StreamFormat.Jpeg)]
    [InlineData("webp", StreamFormat.Webp)]
    [InlineData("vp8", StreamFormat.Vp8)]
    [InlineData("vp9", StreamFormat.Vp9)]
    public void Stream_formats_parse_from_their_names(string? name, StreamFormat expected)
    {
        Assert.True(StreamFormats.TryParse(name, out var format));
        Assert.Equal(expected, format);
        Assert.Equal(name ?? "png", format.Name());
        Assert.Equal(format.IsVideo(), format.Codec() is not null);
    }

    [Theory]
    [InlineData("h264")]
    [InlineData("PNG")]
    public void Other_stream_formats_do_not_parse(string name) => Assert.False(StreamFormats.TryParse(name, out _));

    private static byte[] Message(string json)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var message = new byte[4 + header.Length];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)header.Length);
        header.CopyTo(message, 4);
        return message;
    }
}
