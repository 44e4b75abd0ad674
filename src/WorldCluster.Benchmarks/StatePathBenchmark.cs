using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Metrics;

namespace WorldCluster.Benchmarks;

/// <summary>One model, one world count: a step's cost through the batcher on host bytes (as before resident state) and resident.</summary>
/// <param name="Model">The model id.</param>
/// <param name="Worlds">Worlds stepped together each round.</param>
/// <param name="StateBytes">One world's state bytes.</param>
/// <param name="HostMicroseconds">Wall time per world step on host bytes, the digest hashed from them as the grain did.</param>
/// <param name="HostForwardMicroseconds">Of that, the model's forward pass.</param>
/// <param name="ResidentMicroseconds">Wall time per world step with the state resident (digest hashed by the batcher).</param>
/// <param name="ResidentForwardMicroseconds">Of that, the model's forward pass.</param>
internal sealed record StatePathPoint(string Model, int Worlds, long StateBytes, double HostMicroseconds, double HostForwardMicroseconds,
    double ResidentMicroseconds, double ResidentForwardMicroseconds)
{
    /// <summary>Per world step outside the model on host bytes.</summary>
    public double HostPathMicroseconds => HostMicroseconds - HostForwardMicroseconds;

    /// <summary>Per world step outside the model with resident state.</summary>
    public double ResidentPathMicroseconds => ResidentMicroseconds - ResidentForwardMicroseconds;
}

/// <summary>
/// Steps the same worlds alternately on both paths, in blocks, so that both see the same machine load; each block's
/// per-world-step time is kept and the median of the blocks reported.
/// </summary>
internal static class StatePathBenchmark
{
    /// <summary>Measures <paramref name="model"/> at <paramref name="worlds"/> worlds: <paramref name="blocks"/> blocks of <paramref name="rounds"/> rounds per path.</summary>
    public static async Task<StatePathPoint> MeasureAsync(IWorldModel model, int worlds, int rounds, int blocks, CancellationToken ct)
    {
        var manifest = model.Manifest;
        var players = manifest.MaxPlayers;
        var (hostMetrics, residentMetrics) = (NewMetrics(), NewMetrics());
        var options = new StepBatcherOptions { MaxBatchSize = worlds, MaxQueueDelay = TimeSpan.FromMilliseconds(20) };
        using var host = new StepBatcher(model, options, TimeProvider.System, hostMetrics, NullLogger.Instance);
        using var resident = new StepBatcher(model, options, TimeProvider.System, residentMetrics, NullLogger.Instance);
        host.Start();
        resident.Start();
        var first = await Task.WhenAll(Enumerable.Range(0, worlds).Select(i => host.InitAsync(new WorldSeed(i + 1, players))));
        var states = first.Select(r => r.State).ToArray();
        var residentStates = states.ToArray();
        var (hostTick, residentTick) = (0L, 0L);
        var random = new Random(worlds);
        int[][] actions = [.. Enumerable.Range(0, worlds).Select(_ => Enumerable.Range(0, players).Select(_ => random.Next(manifest.ActionSpace.N)).ToArray())];
        var (hostTimes, residentTimes) = (new List<double>(), new List<double>());
        for (var block = -1; block < blocks; block++)
        {
            ct.ThrowIfCancellationRequested();
            // Block -1 warms both paths up and is not kept.
            var started = Stopwatch.GetTimestamp();
            for (var r = 0; r < rounds; r++)
            {
                var tick = hostTick++;
                var results = await Task.WhenAll(states.Select((s, i) => host.StepAsync(s, actions[i])));
                for (var i = 0; i < worlds; i++)
                {
                    states[i] = results[i].State;
                    _ = StateDigest.Compute(manifest.Id, tick + 1, players, states[i]);
                }
            }
            Keep(hostTimes, block, started, rounds * worlds);
            started = Stopwatch.GetTimestamp();
            for (var r = 0; r < rounds; r++)
            {
                var tick = residentTick++;
                var results = await Task.WhenAll(residentStates.Select((s, i) => resident.ResidentStepAsync($"w{i}", tick, players, s, actions[i], wantHost: false)));
                for (var i = 0; i < worlds; i++)
                {
                    residentStates[i] = results[i].State;
                }
            }
            Keep(residentTimes, block, started, rounds * worlds);
        }
        var name = manifest.Name;
        return new StatePathPoint(manifest.Id, worlds, manifest.StoredState.Sum(s => s.ByteCount),
            Math.Round(Median(hostTimes), 1), Math.Round(ForwardPerWorldStep(hostMetrics, name, worlds), 1),
            Math.Round(Median(residentTimes), 1), Math.Round(ForwardPerWorldStep(residentMetrics, name, worlds), 1));
    }

    private static void Keep(List<double> times, int block, long started, int worldSteps)
    {
        if (block >= 0)
        {
            times.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds / worldSteps);
        }
    }

    // The forward pass per world step over every call (warm-up included: a mean, as the wall times are medians of similar blocks).
    private static double ForwardPerWorldStep(WorldClusterMetrics metrics, string model, int worlds)
    {
        var forward = metrics.ForwardSeconds.WithLabels(model, "step");
        return forward.Count == 0 ? 0 : forward.Sum / forward.Count / worlds * 1e6;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static WorldClusterMetrics NewMetrics() => new(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
}
