using System.Runtime.InteropServices;
using SkiaSharp;
using WorldCluster.Abstractions;

namespace WorldCluster.Silo.Sessions.Streams;

/// <summary>Per-frame JPEG or lossy WebP through SkiaSharp; every frame stands alone.</summary>
internal sealed class ImageFrameEncoder(SKEncodedImageFormat format, int quality) : IFrameEncoder
{
    /// <inheritdoc />
    public ValueTask<EncodedPayload> EncodeAsync(WorldFrame frame, bool keyframe)
    {
        var rgba = PixelLayout.ToRgba32(frame);
        using var bitmap = new SKBitmap(new SKImageInfo(frame.Width, frame.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var data = bitmap.Encode(format, quality)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {frame.Width}x{frame.Height} frame as {format}");
        return ValueTask.FromResult(new EncodedPayload(data.ToArray(), true));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
