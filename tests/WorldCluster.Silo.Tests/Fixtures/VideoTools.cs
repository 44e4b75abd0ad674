using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using SkiaSharp;
using WorldCluster.Contracts;

namespace WorldCluster.Silo.Tests.Fixtures;

/// <summary>Checks session streams with the machine's own ffmpeg/ffprobe and SkiaSharp, not with the code under test.</summary>
public static class VideoTools
{
    /// <summary>Writes VP8/VP9 stream frames to an IVF file whose timestamps are the frames' ticks.</summary>
    public static void WriteIvf(string path, IReadOnlyList<StreamFrame> frames)
    {
        var fourcc = frames[0].Format == "vp9" ? "VP90" : "VP80";
        using var file = File.Create(path);
        var header = new byte[32];
        "DKIF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 32);
        System.Text.Encoding.ASCII.GetBytes(fourcc).CopyTo(header, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(12), (ushort)frames[0].Width);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(14), (ushort)frames[0].Height);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 20);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), (uint)frames.Count);
        file.Write(header);
        foreach (var f in frames)
        {
            var frameHeader = new byte[12];
            BinaryPrimitives.WriteUInt32LittleEndian(frameHeader, (uint)f.Payload.Length);
            BinaryPrimitives.WriteInt64LittleEndian(frameHeader.AsSpan(4), f.Tick);
            file.Write(frameHeader);
            file.Write(f.Payload);
        }
    }

    /// <summary>ffprobe's packets of a file: timestamp and whether it is a keyframe, and the number of frames it decoded.</summary>
    public static (IReadOnlyList<(long Pts, bool Key)> Packets, int DecodedFrames) Probe(string path)
    {
        var packets = Run("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=pts,flags", "-of", "csv=p=0", path)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(','))
            .Select(p => (long.Parse(p[0], CultureInfo.InvariantCulture), p[1].StartsWith('K')))
            .ToList();
        var decoded = Run("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path);
        return (packets, int.Parse(decoded.Trim(), CultureInfo.InvariantCulture));
    }

    /// <summary>Decodes every frame of a video file to interleaved RGB with ffmpeg.</summary>
    public static IReadOnlyList<byte[]> DecodeRgb(string path, int width, int height)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1" })
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"ffmpeg could not decode {path}: {stderr.Result}");
        var size = width * height * 3;
        var bytes = output.ToArray();
        return [.. Enumerable.Range(0, bytes.Length / size).Select(i => bytes.AsSpan(i * size, size).ToArray())];
    }

    /// <summary>Decodes an image file (PNG, JPEG, WebP) to interleaved RGB with SkiaSharp.</summary>
    public static (byte[] Rgb, int Width, int Height) DecodeImage(byte[] image)
    {
        using var decoded = SKBitmap.Decode(image) ?? throw new InvalidDataException("not an image SkiaSharp decodes");
        using var rgba = new SKBitmap(new SKImageInfo(decoded.Width, decoded.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        Assert.True(decoded.CopyTo(rgba, SKColorType.Rgba8888));
        var pixels = new byte[decoded.Width * decoded.Height * 4];
        Marshal.Copy(rgba.GetPixels(), pixels, 0, pixels.Length);
        var rgb = new byte[decoded.Width * decoded.Height * 3];
        for (var i = 0; i < decoded.Width * decoded.Height; i++)
        {
            rgb[3 * i] = pixels[4 * i];
            rgb[3 * i + 1] = pixels[4 * i + 1];
            rgb[3 * i + 2] = pixels[4 * i + 2];
        }
        return (rgb, decoded.Width, decoded.Height);
    }

    /// <summary>Mean absolute difference per sample, 0 (identical) to 255.</summary>
    public static double MeanAbsoluteDifference(byte[] a, byte[] b)
    {
        Assert.Equal(a.Length, b.Length);
        long sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += Math.Abs(a[i] - b[i]);
        }
        return (double)sum / a.Length;
    }

    private static string Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {stderr}");
        return stdout.Result;
    }
}
