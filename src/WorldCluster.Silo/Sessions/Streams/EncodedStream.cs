using System.Diagnostics;
using System.Threading.Channels;
using WorldCluster.Abstractions;
using WorldCluster.Contracts;

namespace WorldCluster.Silo.Sessions.Streams;

/// <summary>
/// One world's frames in one encoded format on this silo: encoded once, on its own loop, for every local viewer of
/// that format. A joining viewer gets the current frame as a keyframe at once and the shared stream makes its next
/// frame a keyframe, from which the viewer runs on; a viewer that falls behind skips to a later keyframe by itself
/// (<see cref="SessionFrames"/>), so nobody waits for anybody, the world least of all.
/// </summary>
internal sealed class EncodedStream : IAsyncDisposable
{
    // Frames waiting to be encoded (0.8 s at 20 Hz); beyond this the encoder is behind the world and the newest is
    // skipped for all its viewers (the stream stays decodable: the encoder never saw the skipped frame).
    private const int MaxQueuedFrames = 16;

    private readonly StreamFormat _format;
    private readonly IFrameEncoder _encoder;
    private readonly IFrameEncoder? _intra;
    private readonly Prometheus.Histogram.Child _encodeSeconds;
    private readonly ILogger _logger;
    private readonly Channel<object> _work = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly List<SessionFrames> _viewers = [];
    private readonly Task _loop;
    private int _queuedFrames;
    private FrameUpdate? _latest;
    private EncodedFrame? _latestMessage;
    private EncodedFrame? _joinKeyframe;
    private bool _keyframeNext = true;
    private Exception? _failure;

    /// <summary>Starts the stream's encoding loop.</summary>
    public EncodedStream(StreamFormat format, IFrameEncoder encoder, IFrameEncoder? intra, Prometheus.Histogram.Child encodeSeconds, ILogger logger)
    {
        _format = format;
        _encoder = encoder;
        _intra = intra;
        _encodeSeconds = encodeSeconds;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a viewer: it gets the current frame as a keyframe, then the stream from its next keyframe.</summary>
    public void Add(SessionFrames viewer)
    {
        if (!_work.Writer.TryWrite(new Join(viewer)))
        {
            viewer.End(_failure ?? new StreamEncodingException($"the {_format.Name()} stream has ended; reconnect"));
        }
    }

    /// <summary>Removes a viewer; returns how many remain (joins still queued count).</summary>
    public int Remove(SessionFrames viewer)
    {
        lock (_gate)
        {
            _viewers.Remove(viewer);
            return _viewers.Count;
        }
    }

    /// <summary>Queues a world frame (in tick order); skipped when the encoder is already <see cref="MaxQueuedFrames"/> behind.</summary>
    public void Post(FrameUpdate update)
    {
        if (Interlocked.Increment(ref _queuedFrames) > MaxQueuedFrames)
        {
            Interlocked.Decrement(ref _queuedFrames);
            _logger.LogDebug("World {WorldId}: the {Format} encoder is behind; tick {Tick} is skipped", update.WorldId, _format.Name(), update.Tick);
            return;
        }
        _work.Writer.TryWrite(update);
    }

    /// <summary>Ends every viewer (with <paramref name="reason"/> when not null) and the loop.</summary>
    public void End(Exception? reason)
    {
        _work.Writer.TryComplete();
        lock (_gate)
        {
            foreach (var v in _viewers)
            {
                v.End(reason);
            }
            _viewers.Clear();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        End(null);
        await _loop;
        await _encoder.DisposeAsync();
        if (_intra is not null)
        {
            await _intra.DisposeAsync();
        }
    }

    private async Task RunAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync())
        {
            try
            {
                if (work is Join join)
                {
                    await JoinAsync(join.Viewer);
                }
                else
                {
                    Interlocked.Decrement(ref _queuedFrames);
                    await EncodeAsync((FrameUpdate)work);
                }
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Encoding {Format} frames failed; ending its viewers", _format.Name());
                _failure = new StreamEncodingException(e.Message, e);
                End(_failure);
                return;
            }
        }
    }

    private async Task JoinAsync(SessionFrames viewer)
    {
        if (_latest is { } latest)
        {
            if (_latestMessage!.Keyframe)
            {
                viewer.Offer(_latestMessage);
            }
            else
            {
                // Its own keyframe of the current frame (shared by everyone joining at this tick); the shared stream's
                // next frame is a keyframe it continues from.
                if (_joinKeyframe?.Tick != latest.Tick)
                {
                    _joinKeyframe = await Timed(latest, _intra!, keyframe: true);
                }
                viewer.Offer(_joinKeyframe);
                _keyframeNext = true;
            }
        }
        lock (_gate)
        {
            _viewers.Add(viewer);
        }
    }

    private async Task EncodeAsync(FrameUpdate update)
    {
        _latest = update;
        _latestMessage = await Timed(update, _encoder, _keyframeNext);
        if (_latestMessage.Keyframe)
        {
            _keyframeNext = false;
        }
        lock (_gate)
        {
            foreach (var v in _viewers)
            {
                v.Offer(_latestMessage);
            }
        }
    }

    private async Task<EncodedFrame> Timed(FrameUpdate update, IFrameEncoder encoder, bool keyframe)
    {
        var started = Stopwatch.GetTimestamp();
        var payload = await encoder.EncodeAsync(update.Frame, keyframe);
        _encodeSeconds.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        var message = FrameMessage.Encode(new StreamFrame(update.Tick, update.DurableTick, update.StateDigest, [.. update.Actions],
            update.Frame.Width, update.Frame.Height, _format.Name(), payload.Keyframe, payload.Bytes));
        return new EncodedFrame(update.Tick, message, payload.Keyframe);
    }

    private sealed record Join(SessionFrames Viewer);
}
