using WorldCluster.Runtime.Metrics;

namespace WorldCluster.Runtime.Worlds;

/// <summary>
/// A real-time world's clock: a one-shot grain timer, re-armed after each tick against a fixed schedule of
/// 1/<c>tickHz</c> periods, and the metrics of how late and how long each tick was.
/// </summary>
/// <remarks>
/// A periodic grain timer counts its period from the end of the previous callback, so step time would stretch every tick;
/// re-arming against the schedule keeps the rate. After a stall of more than a tick the schedule restarts from now rather
/// than bursting to catch up. The timer neither interleaves with the grain's calls nor lets the grain go idle while it runs.
/// </remarks>
/// <param name="grain">The grain the timer belongs to.</param>
/// <param name="time">The clock of the schedule.</param>
/// <param name="metrics">Where lateness, tick time and late ticks are counted.</param>
/// <param name="onTick">The grain's tick; it calls <see cref="ScheduleNext"/> (or <see cref="Stop"/>) when done.</param>
internal sealed class RealtimeTicker(IGrainBase grain, TimeProvider time, WorldClusterMetrics metrics, Func<CancellationToken, Task> onTick)
{
    private IGrainTimer? _timer;
    private TimeSpan _tickPeriod;
    private long _nextTickAt;

    /// <summary>True from <see cref="Start"/> until <see cref="Stop"/>.</summary>
    public bool IsRunning => _timer is not null;

    /// <summary>Starts ticking <paramref name="tickHz"/> times a second, the first tick one period from now; no-op while running.</summary>
    public void Start(int tickHz)
    {
        if (_timer is not null)
        {
            return;
        }
        _tickPeriod = TimeSpan.FromSeconds(1.0 / tickHz);
        _nextTickAt = time.GetTimestamp() + (long)(_tickPeriod.TotalSeconds * time.TimestampFrequency);
        _timer = grain.RegisterGrainTimer(onTick, new GrainTimerCreationOptions(_tickPeriod, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = true });
    }

    /// <summary>Counts how late the tick now running started; returns when it was due (a <see cref="TimeProvider"/> timestamp).</summary>
    public long ObserveStart(string model)
    {
        var due = _nextTickAt;
        metrics.TickLateness.WithLabels(model).Observe(Math.Max(0, time.GetElapsedTime(due).TotalSeconds));
        return due;
    }

    /// <summary>What a tick cost from its due time to its frame handed out, and how much of it was the model.</summary>
    public void ObserveTick(string model, long due, double forwardSeconds)
    {
        var elapsed = time.GetElapsedTime(due);
        var seconds = Math.Max(0, elapsed.TotalSeconds);
        metrics.TickSeconds.WithLabels(model).Observe(seconds);
        metrics.TickForwardSeconds.WithLabels(model).Observe(forwardSeconds);
        metrics.TickOverheadSeconds.WithLabels(model).Observe(Math.Max(0, seconds - forwardSeconds));
        if (elapsed > _tickPeriod)
        {
            metrics.TicksLate.WithLabels(model).Inc();
        }
    }

    /// <summary>Arms the timer for the next tick of the schedule (at once if that is already past); no-op when stopped.</summary>
    public void ScheduleNext()
    {
        if (_timer is null)
        {
            return;
        }
        var period = (long)(_tickPeriod.TotalSeconds * time.TimestampFrequency);
        var now = time.GetTimestamp();
        _nextTickAt += period;
        if (_nextTickAt < now - period)
        {
            // More than a tick behind (a stall): don't burst to catch up, restart the schedule from now.
            _nextTickAt = now;
        }
        var due = _nextTickAt > now ? time.GetElapsedTime(now, _nextTickAt) : TimeSpan.Zero;
        _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Stops ticking.</summary>
    public void Stop()
    {
        _timer?.Dispose();
        _timer = null;
    }
}
