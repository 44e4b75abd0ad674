using System.Diagnostics;
using WorldCluster.Client;

namespace WorldCluster.Benchmarks;

/// <summary>Reads a session's frames as they arrive and keeps each frame's tick and arrival time (Stopwatch ticks).</summary>
internal sealed class SessionRecorder
{
    private readonly Lock _gate = new();
    private readonly List<long> _ticks = [];
    private readonly List<long> _arrivals = [];
    private readonly List<(Func<bool> Done, TaskCompletionSource Signal)> _waiters = [];
    private int _gaps;
    private bool _ended;

    private SessionRecorder(WorldSession session, CancellationToken cancellationToken) =>
        Completion = ReadAsync(session, cancellationToken);

    /// <summary>Ends when the session's frames end; never faults (see <see cref="Failure"/>).</summary>
    public Task Completion { get; }

    /// <summary>Why the frames ended early, if the server ended the session.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Places where the sequence skipped a tick.</summary>
    public int Gaps
    {
        get
        {
            lock (_gate)
            {
                return _gaps;
            }
        }
    }

    /// <summary>Starts recording a session.</summary>
    public static SessionRecorder Start(WorldSession session, CancellationToken cancellationToken) => new(session, cancellationToken);

    /// <summary>How many frames have arrived, and the latest tick (-1 before the first).</summary>
    public (int Count, long LastTick) Mark()
    {
        lock (_gate)
        {
            return (_ticks.Count, _ticks.Count == 0 ? -1 : _ticks[^1]);
        }
    }

    /// <summary>Completes once <paramref name="count"/> frames have arrived; faults if the session ends first.</summary>
    public Task WaitForFramesAsync(int count) => WaitAsync(() => _ticks.Count >= count);

    /// <summary>Completes once a frame at or past <paramref name="tick"/> has arrived; faults if the session ends first.</summary>
    public Task WaitForTickAsync(long tick) => WaitAsync(() => _ticks.Count > 0 && _ticks[^1] >= tick);

    /// <summary>The first tick received (-1 before the first).</summary>
    public long FirstTick
    {
        get
        {
            lock (_gate)
            {
                return _ticks.Count == 0 ? -1 : _ticks[0];
            }
        }
    }

    /// <summary>Frames received whose tick is in (<paramref name="after"/>, <paramref name="upTo"/>].</summary>
    public long FramesBetween(long after, long upTo)
    {
        lock (_gate)
        {
            return _ticks.Count(t => t > after && t <= upTo);
        }
    }

    /// <summary>The ticks and arrival times of frames [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public (long[] Ticks, long[] Arrivals) Slice(int from, int to)
    {
        lock (_gate)
        {
            return ([.. _ticks.GetRange(from, to - from)], [.. _arrivals.GetRange(from, to - from)]);
        }
    }

    private Task WaitAsync(Func<bool> done)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (done())
            {
                return Task.CompletedTask;
            }
            if (_ended)
            {
                return Task.FromException(new InvalidOperationException("the session ended", Failure));
            }
            _waiters.Add((done, signal));
        }
        return signal.Task;
    }

    private async Task ReadAsync(WorldSession session, CancellationToken cancellationToken)
    {
        // Let the constructor finish before the first frame is recorded.
        await Task.Yield();
        try
        {
            await foreach (var frame in session.Frames(cancellationToken))
            {
                var arrived = Stopwatch.GetTimestamp();
                lock (_gate)
                {
                    if (_ticks.Count > 0 && frame.Tick != _ticks[^1] + 1)
                    {
                        _gaps++;
                    }
                    _ticks.Add(frame.Tick);
                    _arrivals.Add(arrived);
                    for (var i = _waiters.Count - 1; i >= 0; i--)
                    {
                        if (_waiters[i].Done())
                        {
                            _waiters[i].Signal.TrySetResult();
                            _waiters.RemoveAt(i);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (WorldSessionClosedException e)
        {
            Failure = e;
        }
        finally
        {
            lock (_gate)
            {
                _ended = true;
                foreach (var (_, signal) in _waiters)
                {
                    signal.TrySetException(new InvalidOperationException("the session ended", Failure));
                }
                _waiters.Clear();
            }
        }
    }
}
