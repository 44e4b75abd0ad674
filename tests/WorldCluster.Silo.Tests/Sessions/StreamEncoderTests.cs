using Microsoft.Extensions.Logging.Abstractions;
using SkiaSharp;
using WorldCluster.Abstractions;
using WorldCluster.Contracts;
using WorldCluster.Silo.Sessions;
using WorldCluster.Silo.Sessions.Streams;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Sessions;

/// <summary>The encoders on their own, checked by ffprobe/ffmpeg and SkiaSharp decoding what they made.</summary>
public sealed class StreamEncoderTests
{
    // Lossy formats at the default settings stay this close to the source (mean absolute difference per 0-255 sample).
    private const double Tolerance = 12;

    [Theory]
    [InlineData(StreamFormat.Vp8)]
    [InlineData(StreamFormat.Vp9)]
    public async Task A_video_stream_decodes_into_one_frame_per_tick_with_keyframes_where_asked(StreamFormat format)
    {
        await using var encoder = new VideoFrameEncoder(new VideoSettings(format, "ffmpeg", 1000, KeyframeInterval: 1000));
        var frames = new List<StreamFrame>();
        for (var tick = 0; tick < 12; tick++)
        {
            var payload = await encoder.EncodeAsync(MovingSquare(tick), keyframe: tick is 0 or 7);
            frames.Add(new StreamFrame(tick, tick, "", [], 64, 64, format.Name(), payload.Keyframe, payload.Bytes));
        }

        Assert.Equal(Enumerable.Range(0, 12).Select(t => t is 0 or 7), frames.Select(f => f.Keyframe));
        using var folder = new TempFile(".ivf");
        VideoTools.WriteIvf(folder.Path, frames);
        var (packets, decoded) = VideoTools.Probe(folder.Path);
        Assert.Equal(12, decoded);
        Assert.Equal(Enumerable.Range(0, 12).Select(t => (long)t), packets.Select(p => p.Pts));
        Assert.Equal(frames.Select(f => f.Keyframe), packets.Select(p => p.Key));
        var pictures = VideoTools.DecodeRgb(folder.Path, 64, 64);
        for (var tick = 0; tick < 12; tick++)
        {
            var diff = VideoTools.MeanAbsoluteDifference(Rgb(MovingSquare(tick)), pictures[tick]);
            Assert.True(diff < Tolerance, $"tick {tick}: mean difference {diff:F1}");
        }
    }

    [Fact]
    public async Task An_intra_only_encoder_makes_every_frame_a_keyframe()
    {
        await using var encoder = new VideoFrameEncoder(new VideoSettings(StreamFormat.Vp8, "ffmpeg", 1000, 1000), intraOnly: true);
        foreach (var tick in new[] { 5, 9, 30 })
        {
            Assert.True((await encoder.EncodeAsync(MovingSquare(tick), keyframe: false)).Keyframe);
        }
    }

    [Fact]
    public async Task A_missing_ffmpeg_says_what_to_install()
    {
        await using var encoder = new VideoFrameEncoder(new VideoSettings(StreamFormat.Vp8, "/nonexistent/ffmpeg", 1000, 40));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await encoder.EncodeAsync(MovingSquare(0), true));
        Assert.Contains("install-deps.sh", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_that_cannot_encode_ends_its_viewers_and_later_joiners_with_the_reason()
    {
        var settings = new VideoSettings(StreamFormat.Vp8, "/nonexistent/ffmpeg", 1000, 40);
        var seconds = Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()).CreateHistogram("encode_seconds", "test", ["format"]).WithLabels("vp8");
        await using var stream = new EncodedStream(StreamFormat.Vp8, new VideoFrameEncoder(settings), new VideoFrameEncoder(settings, intraOnly: true), seconds, NullLogger.Instance);
        using var viewer = new SessionFrames(4, _ => { }, dropToKeyframe: true);
        stream.Add(viewer);

        stream.Post(new FrameUpdate("w-1", 0, "d", 0, MovingSquare(0), []));

        var error = await Assert.ThrowsAsync<StreamEncodingException>(async () => await viewer.Frames.WaitToReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("install-deps.sh", error.Message, StringComparison.Ordinal);
        using var late = new SessionFrames(4, _ => { }, dropToKeyframe: true);
        stream.Add(late);
        await Assert.ThrowsAsync<StreamEncodingException>(async () => await late.Frames.WaitToReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg, new byte[] { 0xFF, 0xD8 })]
    [InlineData(SKEncodedImageFormat.Webp, new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F' })]
    public async Task Image_frames_decode_close_to_the_source(SKEncodedImageFormat format, byte[] magic)
    {
        await using var encoder = new ImageFrameEncoder(format, 80);
        var frame = MovingSquare(3);

        var payload = await encoder.EncodeAsync(frame, keyframe: false);

        Assert.True(payload.Keyframe);
        Assert.Equal(magic, payload.Bytes[..magic.Length]);
        var (rgb, width, height) = VideoTools.DecodeImage(payload.Bytes);
        Assert.Equal((64, 64), (width, height));
        Assert.True(VideoTools.MeanAbsoluteDifference(Rgb(frame), rgb) < Tolerance);
    }

    [Fact]
    public void Grey_frames_are_spread_to_rgb()
    {
        var grey = new WorldFrame(0, 1, 1, 2, [10, 200]);

        Assert.Equal([10, 10, 10, 200, 200, 200], PixelLayout.ToRgb24(grey));
        Assert.Equal([10, 10, 10, 255, 200, 200, 200, 255], PixelLayout.ToRgba32(grey));
    }

    /// <summary>A 64×64 RGB frame (channels first): a grey background and a red square that moves one pixel a tick.</summary>
    internal static WorldFrame MovingSquare(int tick)
    {
        const int size = 64;
        var pixels = new byte[3 * size * size];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var inside = x >= 8 + tick && x < 24 + tick && y >= 20 && y < 36;
                var i = y * size + x;
                pixels[i] = inside ? (byte)220 : (byte)60;
                pixels[size * size + i] = inside ? (byte)30 : (byte)90;
                pixels[2 * size * size + i] = inside ? (byte)40 : (byte)120;
            }
        }
        return new WorldFrame(tick, 3, size, size, pixels);
    }

    private static byte[] Rgb(WorldFrame frame) => PixelLayout.ToRgb24(frame);

    private sealed class TempFile(string extension) : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"worldcluster-stream-{Guid.NewGuid():N}{extension}");

        public void Dispose() => File.Delete(Path);
    }
}
