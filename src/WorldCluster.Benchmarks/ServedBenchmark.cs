using System.Diagnostics;
using Spectre.Console;

namespace WorldCluster.Benchmarks;

/// <summary>(b) and (c): N on-demand worlds, each stepped again as soon as its previous step returns, through the cluster.</summary>
internal sealed class ServedBenchmark(IWorldDriver driver, HttpClient metricsHttp, ProgressContext progress)
{
    /// <summary>Creates <paramref name="worlds"/> worlds, steps them for <paramref name="seconds"/> after a warm-up, and deletes them.</summary>
    public async Task<ServedPoint> MeasureAsync(
        string model, int actionCount, int worlds, double seconds, string label, CancellationToken cancellationToken)
    {
        var task = progress.AddTask($"{label}: {worlds} worlds", maxValue: 1 + seconds);
        var ids = new string[worlds];
        using (var creating = new SemaphoreSlim(16))
        {
            await Task.WhenAll(Enumerable.Range(0, worlds).Select(async i =>
            {
                await creating.WaitAsync(cancellationToken);
                try
                {
                    ids[i] = await driver.CreateAsync(model, i + 1, 1, cancellationToken);
                }
                finally
                {
                    creating.Release();
                }
            }));
        }
        task.Value = 0.5;

        long steps = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Each step holds one permit; taking all of them waits until no step is in flight, so a metrics scrape never
        // lands inside a batch's histogram update (a torn read once gave a mean batch size of 0.99 for one world).
        using var inFlight = new SemaphoreSlim(worlds, worlds);
        // Closed while the scrape takes the permits: otherwise each permit it asks for queues behind every loop that is
        // waiting to step again, and with 256 unbatched worlds taking all of them took minutes (n²/2 steps).
        var open = Open();
        var loops = ids.Select((id, i) => Task.Run(async () =>
        {
            var actions = new int[1];
            for (var n = i; !stop.IsCancellationRequested; n++)
            {
                actions[0] = n % actionCount;
                await Volatile.Read(ref open).Task.WaitAsync(stop.Token);
                await inFlight.WaitAsync(stop.Token);
                try
                {
                    await driver.StepAsync(id, actions, stop.Token);
                    Interlocked.Increment(ref steps);
                }
                finally
                {
                    inFlight.Release();
                }
            }
        }, CancellationToken.None)).ToArray();
        async Task<(MetricsScrape Scrape, long Steps, long At)> QuiescedAsync()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref open, gate);
            try
            {
                for (var i = 0; i < worlds; i++)
                {
                    await inFlight.WaitAsync(cancellationToken);
                }
                try
                {
                    return (await MetricsScrape.ReadAsync(metricsHttp, cancellationToken), Interlocked.Read(ref steps), Stopwatch.GetTimestamp());
                }
                finally
                {
                    inFlight.Release(worlds);
                }
            }
            finally
            {
                gate.SetResult();
            }
        }
        try
        {
            // Warm-up: every world has stepped and batches have reached their steady size.
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(1, seconds / 2)), cancellationToken);
            task.Value = 1;
            var (before, startSteps, started) = await QuiescedAsync();
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
            var (after, endSteps, ended) = await QuiescedAsync();
            var done = endSteps - startSteps;
            var elapsed = Stopwatch.GetElapsedTime(started, ended).TotalSeconds;
            task.Value = 1 + seconds;

            HistogramReading Delta(string name, params (string, string)[] labels) => after.Histogram(name, labels).Since(before.Histogram(name, labels));
            var batch = Delta("worldcluster_batch_size", ("model", model));
            var call = Delta("worldcluster_step_seconds", ("model", model), ("phase", "step"));
            var forward = Delta("worldcluster_step_forward_seconds", ("model", model), ("phase", "step"));
            var queue = Delta("worldcluster_batch_queue_delay_seconds", ("model", model));
            var journal = Delta("worldcluster_journal_flush_seconds");
            return new ServedPoint(worlds, done, Math.Round(done / elapsed, 1), Math.Round(batch.Mean, 2), Ms(call.Mean), Ms(forward.Mean), Ms(queue.Mean), Ms(journal.Mean), 0, Math.Round(forward.Sum / elapsed, 3));
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await Task.WhenAll(loops);
            }
            catch (OperationCanceledException)
            {
            }
            await Task.WhenAll(ids.Select(id => driver.DeleteAsync(id, CancellationToken.None)));
        }
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private static double Ms(double seconds) => Math.Round(seconds * 1000, 4);
}
