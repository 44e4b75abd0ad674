namespace WorldCluster.Runtime.Storage;

/// <summary>
/// Group commit for journal appends: writers that need their bytes durable wait here, and one flush of the whole file
/// system (Linux <c>syncfs</c>) makes the bytes of every waiter durable at once, instead of one <c>fsync</c> each.
/// </summary>
/// <remarks>
/// A flush covers only bytes written before it started, so a writer that arrives while one runs waits for the next: the
/// first waiter of a group queues a drain on the thread pool, which flushes and releases the group it took, then takes
/// whoever arrived meanwhile, until nobody waits. What it saves against an <c>fsync</c> per append is measured in
/// docs/storage.md ("Group commit", with tools/journal-flush-bench.py).
/// </remarks>
/// <param name="flush">Makes every byte written so far durable; throws when the system reports a failure.</param>
public sealed class JournalGroupCommit(Action flush)
{
    private readonly Lock _gate = new();
    private List<TaskCompletionSource> _waiting = [];
    private bool _draining;
    private long _flushes;

    /// <summary>Flushes run so far (each one made a group durable).</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    /// <summary>Completes once a flush that started after this call has finished; fails with <see cref="IOException"/> when it failed.</summary>
    public Task WhenDurableAsync()
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool lead;
        lock (_gate)
        {
            _waiting.Add(waiter);
            lead = !_draining;
            _draining = true;
        }
        if (lead)
        {
            // A pool thread blocks in the flush, as it would in an fsync: the silo raises the pool's floor for that.
            ThreadPool.UnsafeQueueUserWorkItem(static commit => commit.Drain(), this, preferLocal: false);
        }
        return waiter.Task;
    }

    private void Drain()
    {
        while (true)
        {
            List<TaskCompletionSource> group;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _draining = false;
                    return;
                }
                group = _waiting;
                _waiting = [];
            }
            Exception? failure = null;
            try
            {
                flush();
            }
            catch (Exception e)
            {
                failure = e;
            }
            Interlocked.Increment(ref _flushes);
            foreach (var waiter in group)
            {
                if (failure is null)
                {
                    waiter.TrySetResult();
                }
                else
                {
                    waiter.TrySetException(failure as IOException ?? new IOException($"the journal's group flush failed: {failure.Message}", failure));
                }
            }
        }
    }
}
