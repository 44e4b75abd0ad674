namespace WorldCluster.Runtime.Batching;

/// <summary>
/// The silo's budget of resident state bytes, shared by its batchers: each adds what its blocks take and spills its own
/// least recently stepped worlds while the total is over.
/// </summary>
public sealed class ResidentBudget(ResidentStateOptions options)
{
    private readonly List<Func<Task>> _spillers = [];
    private long _used;

    /// <summary>An unbounded budget (tests, tools).</summary>
    public static ResidentBudget Unbounded => new(new ResidentStateOptions());

    /// <summary>The settings it was made with.</summary>
    public ResidentStateOptions Options { get; } = options;

    /// <summary>The budget in bytes; 0 is unbounded.</summary>
    public long BudgetBytes => Options.ResidentStateBudgetBytes;

    /// <summary>Device bytes all batchers hold now.</summary>
    public long UsedBytes => Interlocked.Read(ref _used);

    /// <summary>True while the batchers hold more than the budget.</summary>
    public bool IsOver => BudgetBytes > 0 && UsedBytes > BudgetBytes;

    /// <summary>A batcher's holdings changed by <paramref name="bytes"/>.</summary>
    internal void Add(long bytes) => Interlocked.Add(ref _used, bytes);

    /// <summary>Adds a batcher's way of being asked to spill (it queues the work for the batcher's own thread).</summary>
    internal void Register(Func<Task> requestSpill)
    {
        lock (_spillers)
        {
            _spillers.Add(requestSpill);
        }
    }

    /// <summary>Removes a batcher's way of being asked to spill (it is disposed).</summary>
    internal void Unregister(Func<Task> requestSpill)
    {
        lock (_spillers)
        {
            _spillers.Remove(requestSpill);
        }
    }

    /// <summary>Asks every other batcher to spill its least recently stepped worlds while the budget is over (a batcher that cannot free enough itself calls this).</summary>
    internal void RequestSpills(Func<Task> except)
    {
        Func<Task>[] spillers;
        lock (_spillers)
        {
            spillers = [.. _spillers.Where(s => s != except)];
        }
        foreach (var spill in spillers)
        {
            // Fire and forget: each runs between its batcher's batches; a disposed batcher has nothing to spill.
            _ = spill().ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }
}
