using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using WorldCluster.Contracts;

namespace WorldCluster.Silo.Sessions.Streams;

/// <summary>
/// One ffmpeg child process encoding raw RGB frames from its stdin into an IVF stream on its stdout. IVF gives every
/// frame a length prefix, and realtime libvpx with no lag emits each frame as soon as it has read it, so one write
/// yields exactly one frame to read back.
/// </summary>
internal sealed class FfmpegIvfProcess : IAsyncDisposable
{
    private const int IvfFileHeaderBytes = 32;
    private const int IvfFrameHeaderBytes = 12;
    private const int MaxStderrChars = 4000;

    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly Stream _stdout;
    private readonly StringBuilder _stderr = new();
    private readonly byte[] _frameHeader = new byte[IvfFrameHeaderBytes];
    private bool _headerRead;

    private FfmpegIvfProcess(Process process)
    {
        _process = process;
        _stdin = process.StandardInput.BaseStream;
        _stdout = process.StandardOutput.BaseStream;
        // Drained so a chatty ffmpeg never blocks on a full stderr pipe; kept for the error a failure reports.
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                if (e.Data is not null && _stderr.Length < MaxStderrChars)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
    }

    /// <summary>Frames encoded so far; the first is always a keyframe.</summary>
    public long Frames { get; private set; }

    /// <summary>Starts ffmpeg for frames of one size; it initialises while the caller carries on.</summary>
    public static FfmpegIvfProcess Start(VideoSettings settings, int width, int height, bool everyFrameKey)
    {
        var start = new ProcessStartInfo(settings.FfmpegPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in Arguments(settings, width, height, everyFrameKey))
        {
            start.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {settings.FfmpegPath}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start {settings.FfmpegPath} for {settings.Format.Name()} (install ffmpeg: bash build/install-deps.sh): {e.Message}", e);
        }
        return new FfmpegIvfProcess(process);
    }

    /// <summary>Encodes one frame of interleaved RGB and returns its VP8/VP9 bytes.</summary>
    public async ValueTask<byte[]> EncodeAsync(byte[] rgb24)
    {
        try
        {
            await _stdin.WriteAsync(rgb24);
            await _stdin.FlushAsync();
            if (!_headerRead)
            {
                await _stdout.ReadExactlyAsync(new byte[IvfFileHeaderBytes]);
                _headerRead = true;
            }
            await _stdout.ReadExactlyAsync(_frameHeader);
            var size = BinaryPrimitives.ReadInt32LittleEndian(_frameHeader);
            var frame = new byte[size];
            await _stdout.ReadExactlyAsync(frame);
            Frames++;
            return frame;
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            string stderr;
            lock (_stderr)
            {
                stderr = _stderr.ToString().Trim();
            }
            throw new InvalidOperationException($"ffmpeg stopped encoding: {(stderr.Length > 0 ? stderr : e.Message)}", e);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            _stdin.Close();
        }
        catch (IOException)
        {
        }
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private static IEnumerable<string> Arguments(VideoSettings settings, int width, int height, bool everyFrameKey)
    {
        var inv = CultureInfo.InvariantCulture;
        string[] input = ["-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}",
            "-framerate", "20", "-i", "pipe:0"];
        // passthrough: one output frame per input frame, never duplicated or dropped to hold a frame rate.
        string[] codec = ["-fps_mode", "passthrough", "-an", "-c:v", settings.Format == StreamFormat.Vp9 ? "libvpx-vp9" : "libvpx",
            "-pix_fmt", "yuv420p", "-deadline", "realtime", "-cpu-used", "8", "-lag-in-frames", "0", "-threads", "1",
            "-b:v", (settings.BitrateKbps * 1000).ToString(inv), "-g", settings.KeyframeInterval.ToString(inv)];
        string[] keys = everyFrameKey ? ["-force_key_frames", "expr:1"] : [];
        string[] output = ["-f", "ivf", "-flush_packets", "1", "pipe:1"];
        return [.. input, .. codec, .. keys, .. output];
    }
}

/// <summary>How the gateway encodes one video format.</summary>
internal sealed record VideoSettings(StreamFormat Format, string FfmpegPath, int BitrateKbps, int KeyframeInterval);
