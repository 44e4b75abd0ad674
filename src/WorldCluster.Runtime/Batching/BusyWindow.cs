namespace WorldCluster.Runtime.Batching;

/// <summary>The share of recent wall time a batcher spent in model calls, over a sliding window read from a <see cref="TimeProvider"/>.</summary>
/// <remarks>
/// Busy time is summed into slots of a thirtieth of the window, so memory stays fixed however many calls run. The window
/// read is the last thirty whole slots plus the one in progress: exactly the window at a slot boundary, at most a slot
/// more in between. A call still running counts up to now, so a model call longer than the scrape interval shows as
/// busy while it runs, not only once it ends. Before the batcher has lived a whole window, the share is of its lifetime:
/// a new silo that is saturated from the start reads as saturated, not as a thirtieth busy.
/// </remarks>
public sealed class BusyWindow
{
    private const int Slots = 30;
    private readonly TimeProvider _time;
    private readonly long _slotLength;
    private readonly long _created;
    // Ring of Slots + 1 slots: the whole slots of the window and the slot in progress.
    private readonly long[] _busy = new long[Slots + 1];
    private readonly long[] _slotOf = new long[Slots + 1];
    private readonly Lock _lock = new();
    private long _callStarted = -1;

    /// <summary>Creates an idle window of <paramref name="window"/> (at least a second) starting now.</summary>
    public BusyWindow(TimeProvider time, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.FromSeconds(1), nameof(window));
        _time = time;
        Window = window;
        _slotLength = Math.Max(1, (long)(window.TotalSeconds * time.TimestampFrequency / Slots));
        _created = time.GetTimestamp();
        Array.Fill(_slotOf, long.MinValue);
    }

    /// <summary>How far back the share looks.</summary>
    public TimeSpan Window { get; }

    /// <summary>A model call starts (on the batcher thread; calls do not overlap).</summary>
    public void CallStarted()
    {
        lock (_lock)
        {
            _callStarted = _time.GetTimestamp();
        }
    }

    /// <summary>The model call started last has ended, thrown or not.</summary>
    public void CallEnded()
    {
        lock (_lock)
        {
            if (_callStarted < 0)
            {
                return;
            }
            Add(_callStarted, _time.GetTimestamp());
            _callStarted = -1;
        }
    }

    /// <summary>Busy time ÷ wall time over the window ending now, between 0 and 1.</summary>
    public double Ratio()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var current = SlotOf(now);
            var spanStart = Math.Max((current - Slots) * _slotLength, _created);
            var span = now - spanStart;
            if (span <= 0)
            {
                return 0;
            }
            var busy = 0L;
            for (var i = 0; i < _busy.Length; i++)
            {
                if (_slotOf[i] > current - Slots - 1 && _slotOf[i] <= current)
                {
                    busy += _busy[i];
                }
            }
            if (_callStarted >= 0)
            {
                busy += now - Math.Max(_callStarted, spanStart);
            }
            return Math.Clamp(busy / (double)span, 0, 1);
        }
    }

    private long SlotOf(long timestamp) => Math.DivRem(timestamp, _slotLength, out var rest) - (rest < 0 ? 1 : 0);

    // Splits [start, end) over the slots it covers; a call longer than the ring only keeps what the window can show.
    private void Add(long start, long end)
    {
        start = Math.Max(start, end - ((Slots + 1) * _slotLength));
        for (var slot = SlotOf(start); start < end; slot++)
        {
            var slotEnd = (slot + 1) * _slotLength;
            var part = Math.Min(end, slotEnd) - start;
            var i = (int)(((slot % _busy.Length) + _busy.Length) % _busy.Length);
            if (_slotOf[i] != slot)
            {
                _slotOf[i] = slot;
                _busy[i] = 0;
            }
            _busy[i] += part;
            start += part;
        }
    }
}
