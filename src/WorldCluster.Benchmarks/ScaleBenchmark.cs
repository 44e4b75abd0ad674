using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using WorldCluster.Abstractions;
using WorldCluster.Models.Catalog;

namespace WorldCluster.Benchmarks;

/// <summary>
/// Activates N worlds of a model on one in-process silo and measures the memory they hold; then restarts the silo on the
/// same data and times the first call to a sample of the stored worlds (a cold activation from the store).
/// </summary>
internal sealed class ScaleBenchmark(ProgressContext progress)
{
    /// <summary>Runs the benchmark; returns null and a reason when the model is not served.</summary>
    public async Task<(ScaleReport? Report, string? Error)> RunAsync(string model, int worlds, int sample, MachineInfo machine, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var data = Directory.CreateTempSubdirectory("worldcluster-bench-scale-").FullName;
        try
        {
            var ids = new string[worlds];
            string modelId;
            long stateBytes;
            int frameBytes;
            double createSeconds;
            (long Managed, long Process) before, after;
            await using (var host = await InProcessHost.StartAsync(data, [], cancellationToken))
            {
                if (!host.Services.GetRequiredService<ModelCatalog>().TryGet(model, out var served))
                {
                    return (null, $"model '{model}' is not served");
                }
                (modelId, stateBytes, frameBytes) = (served.Manifest.Id, served.Manifest.StoredState.Sum(s => s.ByteCount), served.Manifest.Observation.ByteCount);
                var driver = new GrainWorldDriver(host.Services.GetRequiredService<IGrainFactory>());
                // One world first, so that code paths, caches and pools every world shares are in the baseline.
                var first = await driver.CreateAsync(model, 0, 1, cancellationToken);
                before = Memory();

                var creating = progress.AddTask($"activate {worlds} worlds of {model}", maxValue: worlds);
                var clock = Stopwatch.GetTimestamp();
                var next = -1;
                await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
                {
                    for (var i = Interlocked.Increment(ref next); i < worlds; i = Interlocked.Increment(ref next))
                    {
                        ids[i] = await driver.CreateAsync(model, i + 1, 1, cancellationToken);
                        creating.Increment(1);
                    }
                }));
                createSeconds = Stopwatch.GetElapsedTime(clock).TotalSeconds;
                after = Memory();
                GC.KeepAlive(first);
            }

            var cold = new List<double>();
            var warm = new List<double>();
            var restarting = progress.AddTask("restart the silo on the same data", maxValue: 1);
            await using (var host = await InProcessHost.StartAsync(data, [], cancellationToken))
            {
                restarting.Value = 1;
                var grains = host.Services.GetRequiredService<IGrainFactory>();
                var activating = progress.AddTask($"activate {sample} stored worlds, one at a time", maxValue: sample);
                var random = new Random(1);
                foreach (var id in ids.OrderBy(_ => random.Next()).Take(sample))
                {
                    var world = grains.GetGrain<IWorldGrain>(id);
                    var clock = Stopwatch.GetTimestamp();
                    await world.GetAsync();
                    cold.Add(Stopwatch.GetElapsedTime(clock).TotalMilliseconds);
                    clock = Stopwatch.GetTimestamp();
                    await world.GetAsync();
                    warm.Add(Stopwatch.GetElapsedTime(clock).TotalMilliseconds);
                    activating.Increment(1);
                }
            }
            cold.Sort();
            warm.Sort();
            var managedPerWorld = (after.Managed - before.Managed) / (double)worlds;
            var processPerWorld = (after.Process - before.Process) / (double)worlds;
            return (new ScaleReport("scale", started, machine, modelId, worlds, Round(createSeconds), stateBytes, frameBytes,
                before.Managed, after.Managed, before.Process, after.Process, Round(managedPerWorld), Round(processPerWorld),
                Round(managedPerWorld / stateBytes), Round(processPerWorld / stateBytes),
                cold.Count, Round(Percentile(cold, 0.50)), Round(Percentile(cold, 0.99)), Round(Percentile(warm, 0.50))), null);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    // Live managed bytes after full blocking collections, and the process's resident set.
    private static (long Managed, long Process) Memory()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static double Round(double value) => Math.Round(value, 3);
}
