using Microsoft.Extensions.Options;
using SkiaSharp;
using WorldCluster.Contracts;
using WorldCluster.Runtime.Metrics;

namespace WorldCluster.Silo.Sessions.Streams;

/// <summary>Starts the encoded stream of a format with the gateway's quality, bitrate and keyframe settings.</summary>
public sealed class StreamEncoders(IOptions<GatewayOptions> options, WorldClusterMetrics metrics, ILoggerFactory loggers)
{
    internal EncodedStream Start(StreamFormat format)
    {
        var o = options.Value;
        var logger = loggers.CreateLogger<EncodedStream>();
        var seconds = metrics.FrameEncodeSeconds.WithLabels(format.Name());
        if (format.IsVideo())
        {
            var settings = new VideoSettings(format, o.FfmpegPath, o.VideoBitrateKbps, o.KeyframeInterval);
            return new EncodedStream(format, new VideoFrameEncoder(settings), new VideoFrameEncoder(settings, intraOnly: true), seconds, logger);
        }
        var image = format switch
        {
            StreamFormat.Jpeg => SKEncodedImageFormat.Jpeg,
            StreamFormat.Webp => SKEncodedImageFormat.Webp,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "PNG frames are encoded by the world feed itself"),
        };
        return new EncodedStream(format, new ImageFrameEncoder(image, o.ImageQuality), null, seconds, logger);
    }
}
