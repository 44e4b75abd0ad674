using System.Threading.Channels;

namespace WorldCluster.Silo.Sessions;

/// <summary>
/// One subscriber's view of a world's frames on this silo: encoded frame messages in tick order, the first being the
/// current frame. A subscriber that falls too far behind is cut off (its reader completes with
/// <see cref="SlowSubscriberException"/>) so it never slows the world or grows memory.
/// </summary>
public sealed class SessionFrames : IDisposable
{
    private readonly Channel<EncodedFrame> _channel;
    private readonly Action<SessionFrames> _onDispose;

    internal SessionFrames(int capacity, Action<SessionFrames> onDispose)
    {
        _channel = Channel.CreateBounded<EncodedFrame>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _onDispose = onDispose;
    }

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
        if (!_channel.Writer.TryWrite(item))
        {
            _channel.Writer.TryComplete(new SlowSubscriberException(LastTick, item.Tick));
            return;
        }
        LastTick = item.Tick;
    }

    internal void End(Exception? reason) => _channel.Writer.TryComplete(reason);

    /// <inheritdoc />
    public void Dispose()
    {
        _channel.Writer.TryComplete();
        _onDispose(this);
    }
}

/// <summary>An encoded frame message and the tick it shows.</summary>
public sealed record EncodedFrame(long Tick, byte[] Message);

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
