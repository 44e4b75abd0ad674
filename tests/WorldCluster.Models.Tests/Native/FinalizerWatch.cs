using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Runtime.CompilerServices;

namespace WorldCluster.Models.Tests.Native;

/// <summary>
/// Counts, by type, the objects the finalizer thread finalizes while an action runs, from the runtime's own
/// <c>FinalizeObject</c> events. A TorchSharp Scalar or Tensor reaching the finalizer is one that code left unowned, and
/// such an object can be freed while libtorch still reads it (see <c>WorldCluster.Models.Torch.Scalars</c>).
/// </summary>
/// <remarks>
/// Exact, not sampled: a start marker object is finalized before the action and an end marker after it, and counting
/// stops only when the end marker's event has arrived, so every finalization in between has been seen. Other threads' garbage counts
/// too: run it in a collection that does not run in parallel.
/// </remarks>
internal sealed class FinalizerWatch : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int FinalizeObjectEvent = 29;
    private static readonly TimeSpan MarkerDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MarkerRetry = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentQueue<IntPtr> _finalized = new();
    private readonly SemaphoreSlim _started = new(0);
    private readonly SemaphoreSlim _ended = new(0);
    private readonly IntPtr _startType = typeof(StartMarker).TypeHandle.Value;
    private readonly IntPtr _endType = typeof(EndMarker).TypeHandle.Value;
    private int _events;

    private FinalizerWatch()
    {
    }

    /// <summary>Runs <paramref name="action"/> and returns how many objects of each of <paramref name="types"/> were finalized meanwhile.</summary>
    public static IReadOnlyDictionary<Type, int> During(Action action, params Type[] types) =>
        DuringAsync(() =>
        {
            action();
            return Task.CompletedTask;
        }, types).GetAwaiter().GetResult();

    /// <summary>Runs <paramref name="action"/> to completion and returns how many objects of each of <paramref name="types"/> were finalized meanwhile.</summary>
    public static async Task<IReadOnlyDictionary<Type, int>> DuringAsync(Func<Task> action, params Type[] types)
    {
        Settle();
        using var watch = new FinalizerWatch();
        watch.Mark(typeof(StartMarker), watch._started);
        var before = watch._finalized.Count;
        await action();
        watch.Mark(typeof(EndMarker), watch._ended);
        var seen = watch._finalized.Skip(before).ToList();
        return types.ToDictionary(t => t, t => seen.Count(id => id == t.TypeHandle.Value));
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        Interlocked.Increment(ref _events);
        if (eventData.EventId != FinalizeObjectEvent || eventData.PayloadNames is null || eventData.Payload is null)
        {
            return;
        }
        var type = eventData.Payload[eventData.PayloadNames.IndexOf("TypeID")] switch
        {
            IntPtr pointer => pointer,
            ulong value => checked((IntPtr)(long)value),
            _ => IntPtr.Zero,
        };
        if (type == _startType)
        {
            _started.Release();
        }
        else if (type == _endType)
        {
            _ended.Release();
        }
        else
        {
            _finalized.Enqueue(type);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _started.Dispose();
        _ended.Dispose();
    }

    // Finalizes everything already unreachable, so that earlier garbage is not counted.
    private static void Settle()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    // The finalizer thread reports in order, so once an end marker's event is here, every earlier finalization is too.
    // A session just enabled may miss the first events, so markers are dropped until one is reported.
    private void Mark(Type marker, SemaphoreSlim reported)
    {
        var deadline = DateTime.UtcNow + MarkerDeadline;
        do
        {
            DropMarker(marker);
            Settle();
            if (reported.Wait(MarkerRetry))
            {
                return;
            }
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"the runtime did not report a {marker.Name}'s finalization within {MarkerDeadline.TotalSeconds} s ({_events} events seen)");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DropMarker(Type marker) => _ = Activator.CreateInstance(marker, nonPublic: true);

    // Only the runtime's FinalizeObject events matter; the finalizers exist to produce them.
    private sealed class StartMarker
    {
        public static int Finalized;

        ~StartMarker() => Interlocked.Increment(ref Finalized);
    }

    private sealed class EndMarker
    {
        public static int Finalized;

        ~EndMarker() => Interlocked.Increment(ref Finalized);
    }
}
