using System.Diagnostics;
using System.Globalization;

namespace WorldCluster.Silo.Tests.Fixtures;

/// <summary>Decodes videos and images with Debian's ffmpeg and ffprobe (build/install-deps.sh), into raw RGB frames to compare.</summary>
public static class FfmpegVideo
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>The video stream's codec, size and frame count, as ffprobe reads them by decoding every frame.</summary>
    public static async Task<(string Codec, int Width, int Height, int Frames)> ProbeAsync(string file)
    {
        var csv = System.Text.Encoding.ASCII.GetString(await RunAsync("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", file)).Trim().Split(',');
        return (csv[0], Number(csv[1]), Number(csv[2]), Number(csv[3]));
    }

    /// <summary>Every frame of a video (or the one of an image) as interleaved RGB, width × height × 3 bytes each.</summary>
    public static async Task<IReadOnlyList<byte[]>> DecodeRgbAsync(string file)
    {
        var (_, width, height, _) = await ProbeAsync(file);
        var bytes = await RunAsync("ffmpeg", "-v", "error", "-i", file, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1");
        var size = width * height * 3;
        Assert.Equal(0, bytes.Length % size);
        return [.. Enumerable.Range(0, bytes.Length / size).Select(i => bytes.AsSpan(i * size, size).ToArray())];
    }

    private static int Number(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static async Task<byte[]> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.BaseStream.CopyToAsync(output).WaitAsync(Deadline);
        await process.WaitForExitAsync().WaitAsync(Deadline);
        Assert.True(process.ExitCode == 0, $"{program} failed: {await errors}");
        return output.ToArray();
    }
}
