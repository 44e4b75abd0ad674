using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using WorldCluster.Abstractions;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Placement;
using WorldId = WorldCluster.Contracts.WorldId;

namespace WorldCluster.Benchmarks;

/// <summary>
/// Many stored worlds on one silo whose resident state budget holds only some of them: clients step worlds at random
/// (churn), so the least recently stepped spill and come back. Worlds are twin pairs (equal seeds, and each pair's
/// action at a tick is a function of the pair and the tick) stepped at different times, so twins go through different
/// spills; at the end every pair is brought to one tick and its digests compared, and after a restart on the same
/// data a sample of worlds must read back the tick and digest their last step answered.
/// </summary>
internal sealed class SpillChurnBenchmark(ProgressContext progress)
{
    /// <summary>What to run.</summary>
    public sealed record Settings(string Model, int Worlds, int BudgetWorlds, double ChurnSeconds, int Concurrency, int Sample, IReadOnlyList<string> Packages);

    /// <summary>Runs the benchmark; returns null and a reason when the model is not served.</summary>
    public async Task<(SpillChurnReport? Report, string? Error)> RunAsync(Settings settings, MachineInfo machine, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        string[] packages = [.. settings.Packages.SelectMany((folder, i) => new[] { $"--WorldCluster:Models:Packages:{i}", Path.GetFullPath(folder) })];
        var data = Directory.CreateTempSubdirectory("worldcluster-bench-spill-").FullName;
        try
        {
            long stateBytes;
            await using (var probe = await InProcessHost.StartAsync(data, packages, cancellationToken))
            {
                if (!probe.Services.GetRequiredService<StepBatchers>().TryGet(settings.Model, out var batcher))
                {
                    return (null, $"model '{settings.Model}' is not served");
                }
                stateBytes = batcher.StateBytesPerWorld;
            }
            var budgetBytes = settings.BudgetWorlds * stateBytes;
            string[] budgeted = [.. packages, "--WorldCluster:Models:ResidentStateBudgetBytes", budgetBytes.ToString(CultureInfo.InvariantCulture)];
            var worlds = new Fleet(settings.Worlds);
            var run = new Run(settings, worlds);
            string modelId;
            await using (var host = await InProcessHost.StartAsync(data, budgeted, cancellationToken))
            {
                var batchers = host.Services.GetRequiredService<StepBatchers>();
                batchers.TryGet(settings.Model, out var batcher);
                modelId = batcher.Manifest.Id;
                var metrics = host.Services.GetRequiredService<WorldClusterMetrics>();
                var grains = host.Services.GetRequiredService<IGrainFactory>();
                using var sampling = new CancellationTokenSource();
                var sampler = Task.Run(() => run.SampleAsync(batchers.Budget, sampling.Token), CancellationToken.None);
                try
                {
                    await run.CreateAsync(grains, batcher.Manifest.Name, progress, cancellationToken);
                    var name = batcher.Manifest.Name;
                    var (spills, resumes) = (metrics.StateSpills.WithLabels(name).Value, metrics.StateResumes.WithLabels(name).Value);
                    var resumed = metrics.StateResumeSeconds.WithLabels(name);
                    var (resumeSum, resumeCount) = (resumed.Sum, resumed.Count);
                    var mark = SpillChurnProfile.Mark.Take(metrics, name);
                    await run.ChurnAsync(grains, batcher.Manifest.ActionSpace.N, progress, cancellationToken);
                    run.Profile = SpillChurnProfile.Between(mark, SpillChurnProfile.Mark.Take(metrics, name), run.ChurnSeconds);
                    run.ResidentBytesPerState = batcher.ResidentWorlds == 0 ? 0 : batcher.ResidentBytes / (double)(batcher.ResidentWorlds * stateBytes);
                    run.Spills = (long)(metrics.StateSpills.WithLabels(name).Value - spills);
                    run.Resumes = (long)(metrics.StateResumes.WithLabels(name).Value - resumes);
                    run.ResumeMeanMs = resumed.Count == resumeCount ? 0 : (resumed.Sum - resumeSum) * 1000 / (resumed.Count - resumeCount);
                    await run.ColdAsync(grains, batcher.Manifest.ActionSpace.N, progress, cancellationToken);
                    await run.CompareTwinsAsync(grains, batcher.Manifest.ActionSpace.N, progress, cancellationToken);
                }
                finally
                {
                    await sampling.CancelAsync();
                    await sampler;
                }
            }
            var restarting = progress.AddTask("restart the silo on the same data", maxValue: 1);
            await using (var host = await InProcessHost.StartAsync(data, budgeted, cancellationToken))
            {
                restarting.Value = 1;
                await run.ReadBackAsync(host.Services.GetRequiredService<IGrainFactory>(), progress);
            }
            return (run.Report(started, machine, modelId, stateBytes, budgetBytes), null);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    // What the client knows of each world: its id, the tick and digest its last answer gave, when it was last stepped.
    private sealed class Fleet(int count)
    {
        public readonly string[] Ids = new string[count];
        public readonly long[] Ticks = new long[count];
        public readonly string[] Digests = new string[count];
        public readonly long[] SteppedAt = new long[count];
        public readonly int[] Busy = new int[count];

        public int Count => Ids.Length;
    }

    private sealed class Run(Settings settings, Fleet fleet)
    {
        private readonly List<double> _churn = [];
        private readonly List<double> _cold = [];
        private readonly List<double> _warm = [];
        private double _createSeconds;
        private long _refusals;
        private double _churnSeconds;
        private long _maxUsed;
        private long _maxProcess;
        private int _pairs;
        private int _mismatches;
        private int _readBack;
        private int _lost;

        public double ResidentBytesPerState { get; set; }

        public long Spills { get; set; }

        public long Resumes { get; set; }

        public double ResumeMeanMs { get; set; }

        public SpillChurnProfile? Profile { get; set; }

        public double ChurnSeconds => _churnSeconds;

        public async Task SampleAsync(ResidentBudget budget, CancellationToken cancellationToken)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            do
            {
                _maxUsed = Math.Max(_maxUsed, budget.UsedBytes);
                _maxProcess = Math.Max(_maxProcess, Environment.WorkingSet);
            }
            while (await Tick(timer, cancellationToken));
        }

        public async Task CreateAsync(IGrainFactory grains, string model, ProgressContext progress, CancellationToken cancellationToken)
        {
            var creating = progress.AddTask($"create {fleet.Count} worlds of {model} (twin pairs)", maxValue: fleet.Count);
            var clock = Stopwatch.GetTimestamp();
            await ForEachAsync(fleet.Count, async i =>
            {
                while (true)
                {
                    var id = WorldId.New();
                    RequestContext.Set(ModelAwarePlacement.ModelKey, model);
                    try
                    {
                        var info = await grains.GetGrain<IWorldGrain>(id).CreateAsync(new CreateWorldRequest(model, i / 2 + 1, 1));
                        (fleet.Ids[i], fleet.Digests[i], fleet.SteppedAt[i]) = (id, info.StateDigest, Stopwatch.GetTimestamp());
                        creating.Increment(1);
                        return;
                    }
                    catch (WorldRequestException e) when (e.Kind == WorldErrorKind.Unavailable)
                    {
                        // The budget is taken by worlds stepping now: wait as the silo asks, then try again.
                        Interlocked.Increment(ref _refusals);
                        await Task.Delay(TimeSpan.FromSeconds(e.RetryAfterSeconds ?? 1), cancellationToken);
                    }
                }
            });
            _createSeconds = Stopwatch.GetElapsedTime(clock).TotalSeconds;
        }

        public async Task ChurnAsync(IGrainFactory grains, int actions, ProgressContext progress, CancellationToken cancellationToken)
        {
            var churning = progress.AddTask($"step worlds at random for {settings.ChurnSeconds} s, {settings.Concurrency} clients", maxValue: settings.ChurnSeconds);
            var clock = Stopwatch.GetTimestamp();
            var until = clock + (long)(settings.ChurnSeconds * Stopwatch.Frequency);
            await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(client => Task.Run(async () =>
            {
                var random = new Random(client + 1);
                var latencies = new List<double>();
                while (Stopwatch.GetTimestamp() < until)
                {
                    var i = random.Next(fleet.Count);
                    if (Interlocked.CompareExchange(ref fleet.Busy[i], 1, 0) != 0)
                    {
                        continue;
                    }
                    try
                    {
                        latencies.Add(await StepAsync(grains, i, actions));
                    }
                    finally
                    {
                        Volatile.Write(ref fleet.Busy[i], 0);
                    }
                    churning.Value = Math.Min(settings.ChurnSeconds, Stopwatch.GetElapsedTime(clock).TotalSeconds);
                }
                lock (_churn)
                {
                    _churn.AddRange(latencies);
                }
            }, cancellationToken)));
            _churnSeconds = Stopwatch.GetElapsedTime(clock).TotalSeconds;
            churning.Value = settings.ChurnSeconds;
        }

        // The least recently stepped worlds are the ones spilled first: their next step takes the state back.
        public async Task ColdAsync(IGrainFactory grains, int actions, ProgressContext progress, CancellationToken cancellationToken)
        {
            var sample = Enumerable.Range(0, fleet.Count).OrderBy(i => fleet.SteppedAt[i]).Take(Math.Min(settings.Sample, fleet.Count)).ToArray();
            var stepping = progress.AddTask($"step the {sample.Length} least recently stepped worlds, one at a time", maxValue: sample.Length);
            foreach (var i in sample)
            {
                cancellationToken.ThrowIfCancellationRequested();
                _cold.Add(await StepAsync(grains, i, actions));
                _warm.Add(await StepAsync(grains, i, actions));
                stepping.Increment(1);
            }
        }

        public async Task CompareTwinsAsync(IGrainFactory grains, int actions, ProgressContext progress, CancellationToken cancellationToken)
        {
            var pairs = fleet.Count / 2;
            var comparing = progress.AddTask($"bring {pairs} twin pairs to one tick and compare digests", maxValue: pairs);
            await ForEachAsync(pairs, async pair =>
            {
                var (a, b) = (2 * pair, 2 * pair + 1);
                while (fleet.Ticks[a] != fleet.Ticks[b])
                {
                    await StepAsync(grains, fleet.Ticks[a] < fleet.Ticks[b] ? a : b, actions);
                }
                if (!string.Equals(fleet.Digests[a], fleet.Digests[b], StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _mismatches);
                }
                Interlocked.Increment(ref _pairs);
                comparing.Increment(1);
            });
            cancellationToken.ThrowIfCancellationRequested();
        }

        public async Task ReadBackAsync(IGrainFactory grains, ProgressContext progress)
        {
            var random = new Random(7);
            var sample = Enumerable.Range(0, fleet.Count).OrderBy(_ => random.Next()).Take(Math.Min(settings.Sample, fleet.Count)).ToArray();
            var reading = progress.AddTask($"read {sample.Length} worlds back after the restart", maxValue: sample.Length);
            await ForEachAsync(sample.Length, async s =>
            {
                var i = sample[s];
                var info = await grains.GetGrain<IWorldGrain>(fleet.Ids[i]).GetAsync();
                if (info.Tick != fleet.Ticks[i] || !string.Equals(info.StateDigest, fleet.Digests[i], StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _lost);
                }
                Interlocked.Increment(ref _readBack);
                reading.Increment(1);
            });
        }

        public SpillChurnReport Report(DateTimeOffset started, MachineInfo machine, string model, long stateBytes, long budgetBytes)
        {
            _churn.Sort();
            _cold.Sort();
            _warm.Sort();
            return new SpillChurnReport("scale-spill", started, machine, model, fleet.Count, settings.BudgetWorlds, stateBytes, budgetBytes,
                Round(_createSeconds), _refusals, settings.Concurrency, Round(_churnSeconds), _churn.Count, Round(_churn.Count / _churnSeconds),
                Round(Percentile(_churn, 0.50)), Round(Percentile(_churn, 0.99)), Spills, Resumes, Round(ResumeMeanMs),
                _cold.Count, Round(Percentile(_cold, 0.50)), Round(Percentile(_cold, 0.99)), Round(Percentile(_warm, 0.50)),
                _maxUsed, Round(ResidentBytesPerState), _maxProcess, _pairs, _mismatches, _readBack, _lost, Profile!);
        }

        // One step of world i with its pair's action for the tick it is at; returns the latency in ms.
        private async Task<double> StepAsync(IGrainFactory grains, int i, int actions)
        {
            var action = Action(i / 2, fleet.Ticks[i], actions);
            var clock = Stopwatch.GetTimestamp();
            var result = await grains.GetGrain<IWorldGrain>(fleet.Ids[i]).StepAsync(new StepRequest([action]));
            var elapsed = Stopwatch.GetElapsedTime(clock).TotalMilliseconds;
            (fleet.Ticks[i], fleet.Digests[i], fleet.SteppedAt[i]) = (result.Tick, result.StateDigest, Stopwatch.GetTimestamp());
            return elapsed;
        }

        private Task ForEachAsync(int count, Func<int, Task> body)
        {
            var next = -1;
            return Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
                {
                    await body(i);
                }
            })));
        }

        // Both twins take the same action at the same tick, whenever each is stepped.
        private static int Action(int pair, long tick, int actions) => (int)((ulong)(pair * 2_654_435_761L + tick * 40_503L + 17) % (ulong)actions);

        private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken cancellationToken)
        {
            try
            {
                return await timer.WaitForNextTickAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        private static double Percentile(List<double> sorted, double p) =>
            sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

        private static double Round(double value) => Math.Round(value, 3);
    }
}
