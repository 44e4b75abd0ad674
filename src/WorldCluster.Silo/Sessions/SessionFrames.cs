using System.Threading.Channels;

namespace WorldCluster.Silo.Sessions;

/// <summary>
/// One subscriber's view of a world's frames on this silo: encoded frame messages in tick order, the first being the
/// current frame (a keyframe). A PNG subscriber that falls too far behind is cut off (its reader completes with
/// <see cref="SlowSubscriberException"/>); one of an encoded stream instead skips frames until the next keyframe that
/// fits (counted in <see cref="Dropped"/>). Either way it never slows the world, the other viewers, or grows memory.
/// </summary>
public sealed class SessionFrames : IDisposable
{
    private readonly Channel<EncodedFrame> _channel;
    private readonly Action<SessionFrames> _onDispose;
    private readonly bool _dropToKeyframe;
    private readonly Action? _onDropped;
    private bool _awaitingKeyframe;
    private long _dropped;

    internal SessionFrames(int capacity, Action<SessionFrames> onDispose, bool dropToKeyframe = false, Action? onDropped = null)
    {
        _channel = Channel.CreateBounded<EncodedFrame>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _onDispose = onDispose;
        _dropToKeyframe = dropToKeyframe;
        _onDropped = onDropped;
        // A new viewer of a stream can only start at a keyframe.
        _awaitingKeyframe = dropToKeyframe;
    }

    /// <summary>Frames skipped because this subscriber fell behind (encoded streams only).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Frame messages to send, in tick order.</summary>
    public ChannelReader<EncodedFrame> Frames => _channel.Reader;

    /// <summary>The tick of the last message queued.</summary>
    public long LastTick { get; private set; } = -1;

    internal void Offer(EncodedFrame item)
    {
        if (item.Tick <= LastTick)
        {
            return;
        }
        if (_awaitingKeyframe && !item.Keyframe)
        {
            if (LastTick >= 0)
            {
                Drop();
            }
            return;
        }
        if (!_channel.Writer.TryWrite(item))
        {
            if (!_dropToKeyframe)
            {
                _channel.Writer.TryComplete(new SlowSubscriberException(LastTick, item.Tick));
                return;
            }
            // What is queued still decodes (it runs on from the last keyframe); the next frame it can take must be one.
            _awaitingKeyframe = true;
            Drop();
            return;
        }
        _awaitingKeyframe = false;
        LastTick = item.Tick;
    }

    private void Drop()
    {
        Interlocked.Increment(ref _dropped);
        _onDropped?.Invoke();
    }

    internal void End(Exception? reason) => _channel.Writer.TryComplete(reason);

    /// <inheritdoc />
    public void Dispose()
    {
        _channel.Writer.TryComplete();
        _onDispose(this);
    }
}

/// <summary>An encoded frame message, the tick it shows, and whether it decodes on its own (every PNG, JPEG and WebP frame does).</summary>
public sealed record EncodedFrame(long Tick, byte[] Message, bool Keyframe = true);

/// <summary>A subscriber fell too far behind and was cut off.</summary>
public sealed class SlowSubscriberException : Exception
{
    /// <summary>Creates the exception from the last tick queued and the tick that did not fit.</summary>
    public SlowSubscriberException(long lastQueued, long dropped)
        : base($"too slow: tick {dropped} arrived while tick {lastQueued} was still unsent")
    {
    }

    /// <summary>Creates the exception.</summary>
    public SlowSubscriberException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SlowSubscriberException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SlowSubscriberException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The world's frame sequence broke in a way this silo could not repair (e.g. the world restarted).</summary>
public sealed class FrameGapException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FrameGapException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public FrameGapException()
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public FrameGapException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
