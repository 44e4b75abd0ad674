using WorldCluster.Abstractions;

namespace WorldCluster.Silo.Sessions.Streams;

/// <summary>Turns a model's channels-first frame into the interleaved pixels encoders take (grey spread to RGB, alpha dropped or opaque).</summary>
internal static class PixelLayout
{
    /// <summary>Interleaved RGB, 3 bytes a pixel (ffmpeg's <c>rgb24</c>).</summary>
    public static byte[] ToRgb24(WorldFrame frame) => Interleave(frame, 3);

    /// <summary>Interleaved RGBA with opaque alpha, 4 bytes a pixel (Skia's <c>Rgba8888</c>).</summary>
    public static byte[] ToRgba32(WorldFrame frame) => Interleave(frame, 4);

    private static byte[] Interleave(WorldFrame frame, int stride)
    {
        if (frame.Channels is not (1 or 3 or 4))
        {
            throw new ArgumentException($"frames have 1, 3 or 4 channels, not {frame.Channels}", nameof(frame));
        }
        var plane = frame.Width * frame.Height;
        var src = frame.Pixels;
        var dst = new byte[plane * stride];
        var g = frame.Channels == 1 ? 0 : plane;
        var b = frame.Channels == 1 ? 0 : 2 * plane;
        for (var i = 0; i < plane; i++)
        {
            var o = i * stride;
            dst[o] = src[i];
            dst[o + 1] = src[g + i];
            dst[o + 2] = src[b + i];
            if (stride == 4)
            {
                dst[o + 3] = 255;
            }
        }
        return dst;
    }
}
