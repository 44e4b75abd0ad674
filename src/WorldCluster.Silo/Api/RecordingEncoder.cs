using System.Diagnostics;
using System.Globalization;
using WorldCluster.Abstractions;

namespace WorldCluster.Silo.Api;

/// <summary>
/// How a recording's frames become video: an <c>ffmpeg</c> child process fed raw RGB on stdin, writing a fragmented MP4
/// (one fragment per frame, so the video streams as it is made) on stdout. No codec of our own (docs/http-api.md#recordings).
/// </summary>
/// <param name="Lossless">H.264 in RGB at <c>-qp 0</c> (<c>libx264rgb</c>): decodes to the world's frames bit for bit.</param>
/// <param name="Scale">How much each frame is enlarged, nearest neighbour (every pixel becomes a Scale×Scale block).</param>
public sealed record RecordingEncoder(bool Lossless, int Scale)
{
    /// <summary>The largest <see cref="Scale"/> a request may ask for.</summary>
    public const int MaxScale = 8;

    /// <summary>The default <see cref="Scale"/> of lossy recordings: small world frames become watchable, and every size even as 4:2:0 needs.</summary>
    public const int DefaultLossyScale = 4;

    /// <summary>The frame rate of a recording of an on-demand world (a real-time world's is its tick rate).</summary>
    public const int OnDemandFrameRate = 20;

    /// <summary>The ffmpeg command line for frames of <paramref name="width"/>×<paramref name="height"/> at <paramref name="rate"/> frames per second.</summary>
    public ProcessStartInfo StartInfo(int width, int height, int rate)
    {
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] codec = Lossless
            ? ["-c:v", "libx264rgb", "-preset", "veryfast", "-qp", "0", "-pix_fmt", "rgb24"]
            // Near-lossless: world frames are flat colours with hard edges, which default rates smear.
            : ["-c:v", "libx264", "-preset", "veryfast", "-crf", "10", "-pix_fmt", "yuv420p"];
        string[] scale = Scale == 1 ? [] : ["-vf", $"scale=iw*{Scale}:ih*{Scale}:flags=neighbor"];
        foreach (var arg in (string[])[
            "-hide_banner", "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}", "-r", rate.ToString(CultureInfo.InvariantCulture), "-i", "pipe:0",
            .. scale, .. codec,
            // Every tick is one frame: never dropped or repeated to fit a rate.
            "-fps_mode", "passthrough",
            "-movflags", "frag_every_frame+empty_moov+default_base_moof", "-f", "mp4", "pipe:1"])
        {
            start.ArgumentList.Add(arg);
        }
        return start;
    }

    /// <summary>Whether frames of this size can be encoded: 4:2:0 video needs an even width and height.</summary>
    public bool Fits(int width, int height) => Lossless || (width * Scale % 2 == 0 && height * Scale % 2 == 0);

    /// <summary>Channels-first uint8 → interleaved RGB: one channel is grey, a fourth (alpha) is dropped.</summary>
    public static byte[] ToRgb(WorldFrame frame)
    {
        var plane = frame.Height * frame.Width;
        var rgb = new byte[plane * 3];
        for (var c = 0; c < 3; c++)
        {
            var source = Math.Min(c, frame.Channels - 1) * plane;
            for (var i = 0; i < plane; i++)
            {
                rgb[i * 3 + c] = frame.Pixels[source + i];
            }
        }
        return rgb;
    }

    /// <summary>Ends the process (and anything it started) if it still runs.</summary>
    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
