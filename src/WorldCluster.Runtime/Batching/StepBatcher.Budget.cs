namespace WorldCluster.Runtime.Batching;

// The resident state budget: what this batcher reports to it, and the spills that keep it. On the batcher's thread.
public sealed partial class StepBatcher
{
    // Before any result of the batch is handed out, so a caller that got its result reads counts that include it.
    // The budget counts the worlds' state bytes (a row each); the device holds at most twice that (ResidentStates).
    private void PublishResidentCounts()
    {
        var bytes = _resident.StateBytes;
        _budget.Add(bytes - _reportedBytes);
        _reportedBytes = bytes;
        Volatile.Write(ref _residentWorlds, _resident.Count);
        Volatile.Write(ref _residentBytes, _resident.BlockBytes);
        _metrics.ResidentStateBytes.WithLabels(Manifest.Name).Set(bytes);
    }

    // Before a call's rows are kept: spills this batcher's least recently stepped worlds (never those in keep) until
    // `arriving` more bytes fit the budget. A call holds at most the budget's rows (BatchPlanner), so one batcher alone
    // can always make the room; worlds of other models are spilled afterwards, on their own threads (SpillOverBudget).
    private void SpillToFit(long arriving, IReadOnlySet<string> keep) =>
        SpillWhile(() => _budget.BudgetBytes > 0 && _budget.UsedBytes + arriving > _budget.BudgetBytes, keep);

    // While the silo's batchers hold more than the budget, this one moves its least recently stepped worlds (never those
    // in keep: the call that just ran) to host memory; their next step takes them back, a later call of the same batch
    // included. What it cannot free itself it asks the other batchers to free, on their threads.
    private void SpillOverBudget(IReadOnlySet<string> keep, bool askOthers)
    {
        SpillWhile(() => _budget.IsOver, keep);
        if (askOthers && _budget.IsOver)
        {
            _budget.RequestSpills(except: _spillRequest);
        }
    }

    private void SpillWhile(Func<bool> over, IReadOnlySet<string> keep)
    {
        while (over() && _resident.SpillOldest(keep) is { } world)
        {
            _metrics.StateSpills.WithLabels(Manifest.Name).Inc();
            PublishResidentCounts();
            Spilled?.Invoke(world);
        }
    }
}
