using System.Buffers.Binary;
using WorldCluster.Contracts;

namespace WorldCluster.Client;

/// <summary>
/// Writes a session's VP8 or VP9 <see cref="StreamFrame"/>s as an IVF file (the container ffmpeg, ffprobe and ffplay
/// read as <c>-f ivf</c>), each frame stamped with its tick; the header comes from the first frame written.
/// </summary>
/// <param name="destination">Where the file goes; left open.</param>
/// <param name="ticksPerSecond">The file's time base, 1/<paramref name="ticksPerSecond"/> s per tick: the world's tick rate plays it at the world's pace.</param>
public sealed class IvfWriter(Stream destination, int ticksPerSecond)
{
    private const int FileHeaderBytes = 32;
    private const int FrameHeaderBytes = 12;
    private string? _format;

    /// <summary>Frames written so far.</summary>
    public int FrameCount { get; private set; }

    /// <summary>Appends one frame (the first should be a keyframe, as a session's first frame is).</summary>
    public async ValueTask WriteAsync(StreamFrame frame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentOutOfRangeException.ThrowIfLessThan(ticksPerSecond, 1);
        if (_format is null)
        {
            await destination.WriteAsync(FileHeader(frame), cancellationToken);
            _format = frame.Format;
        }
        else if (frame.Format != _format)
        {
            throw new ArgumentException($"this IVF file holds {_format}, not {frame.Format}", nameof(frame));
        }
        var header = new byte[FrameHeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)frame.Payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(4), frame.Tick);
        await destination.WriteAsync(header, cancellationToken);
        await destination.WriteAsync(frame.Payload, cancellationToken);
        FrameCount++;
    }

    private byte[] FileHeader(StreamFrame first)
    {
        var fourcc = first.Format switch
        {
            "vp8" => "VP80"u8,
            "vp9" => "VP90"u8,
            _ => throw new ArgumentException($"IVF holds vp8 or vp9 frames, not {first.Format}", nameof(first)),
        };
        var header = new byte[FileHeaderBytes];
        "DKIF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), FileHeaderBytes);
        fourcc.CopyTo(header.AsSpan(8));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(12), (ushort)first.Width);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(14), (ushort)first.Height);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), (uint)ticksPerSecond);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 1);
        // Bytes 24-27 (the frame count) stay 0: the file is written as frames arrive, and readers go by the frames.
        return header;
    }
}
