using WorldCluster.Abstractions;

namespace WorldCluster.Silo.Sessions.Streams;

/// <summary>
/// A VP8/VP9 stream through ffmpeg. ffmpeg cannot be told to make the next frame a keyframe, so a forced keyframe
/// switches to a standby process started in advance (its first frame is a keyframe, and it has already initialised);
/// everyone on the stream continues from that keyframe. An intra-only encoder makes every frame a keyframe.
/// </summary>
internal sealed class VideoFrameEncoder(VideoSettings settings, bool intraOnly = false) : IFrameEncoder
{
    private FfmpegIvfProcess? _current;
    private FfmpegIvfProcess? _standby;
    private (int Width, int Height) _size;

    /// <inheritdoc />
    public async ValueTask<EncodedPayload> EncodeAsync(WorldFrame frame, bool keyframe)
    {
        if (_current is null || _size != (frame.Width, frame.Height))
        {
            await DisposeAsync();
            _size = (frame.Width, frame.Height);
            _current = FfmpegIvfProcess.Start(settings, frame.Width, frame.Height, intraOnly);
        }
        else if (keyframe && !intraOnly && _current.Frames > 0)
        {
            var old = _current;
            _current = _standby ?? FfmpegIvfProcess.Start(settings, frame.Width, frame.Height, false);
            _standby = null;
            // Closed in the background: the stream goes on at once.
            _ = old.DisposeAsync().AsTask();
        }
        if (!intraOnly)
        {
            _standby ??= FfmpegIvfProcess.Start(settings, frame.Width, frame.Height, false);
        }
        var bytes = await _current.EncodeAsync(PixelLayout.ToRgb24(frame));
        return new EncodedPayload(bytes, VideoKeyframes.IsKeyframe(settings.Format, bytes));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync();
            _current = null;
        }
        if (_standby is not null)
        {
            await _standby.DisposeAsync();
            _standby = null;
        }
    }
}
