using WorldCluster.Abstractions;
using WorldCluster.Contracts;
using WorldCluster.Models.Frames;
using WorldCluster.Silo.Api;

namespace WorldCluster.Client.Tests;

public sealed class FrameTests
{
    [Fact]
    public void The_clients_decoder_reads_the_servers_frame_message_with_its_png()
    {
        var pixels = Enumerable.Range(0, 3 * 4 * 5).Select(i => (byte)(i * 7)).ToArray();
        var update = new FrameUpdate("w-1", 12, "abc", 11, new WorldFrame(12, 3, 4, 5, pixels), [3, 1]);
        var message = update.ToFrameMessage();

        var frame = Frame.Decode(message);

        Assert.Equal(12, frame.Tick);
        Assert.Equal(11, frame.DurableTick);
        Assert.Equal("abc", frame.StateDigest);
        Assert.Equal([3, 1], frame.Actions);
        Assert.Equal((5, 4), (frame.Width, frame.Height));
        Assert.Equal(PngEncoder.Encode(pixels, 3, 4, 5), frame.Png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], frame.Png[..4]);
    }

    [Fact]
    public void A_header_length_past_the_message_is_refused()
    {
        byte[] message = [0, 0, 1, 0, (byte)'{', (byte)'}'];

        Assert.Throws<InvalidDataException>(() => Frame.Decode(message));
    }
}
