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
    private TaskCompletionSource _moved = new(TaskCreationOptions.RunContinuationsAsynchronously);
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

    /// <summary>
    /// Completes the next time the world's activation changes (it moved to another silo or restarted from storage) after
    /// this was read: read it before checking on the world, so a change during the check is not missed.
    /// </summary>
    public Task Moved => Volatile.Read(ref _moved).Task;

    /// <summary>
    /// Renews this silo's subscription to the world now (with the world's current activation), so that frames of ticks
    /// the session's rejoin sets going reach it; set by the feed.
    /// </summary>
    internal Func<Task> Resubscribe { get; init; } = () => Task.CompletedTask;

    /// <summary>Tells the session that the world's activation changed.</summary>
    internal void SignalMoved() =>
        Interlocked.Exchange(ref _moved, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Queues a JSON text notice between frames; a subscriber with no room for it is cut off as too slow.</summary>
    internal void Notify(byte[] notice)
    {
        if (!_channel.Writer.TryWrite(new EncodedFrame(LastTick, notice, Text: true)))
        {
            _channel.Writer.TryComplete(new SlowSubscriberException($"too slow: a notice arrived while tick {LastTick} was still unsent"));
        }
    }

    /// <summary>
    /// The world went back to <paramref name="tick"/> (it restarted from storage): queues <paramref name="notice"/>, and
    /// the next frame taken is <paramref name="tick"/> itself.
    /// </summary>
    internal void Rewind(long tick, byte[] notice)
    {
        Notify(notice);
        LastTick = Math.Min(LastTick, tick - 1);
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

/// <summary>
/// An encoded frame message, the tick it shows, and whether it decodes on its own (every PNG, JPEG and WebP frame does);
/// or, with <paramref name="Text"/>, a JSON notice sent as a text message between frames.
/// </summary>
public sealed record EncodedFrame(long Tick, byte[] Message, bool Keyframe = true, bool Text = false);

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
