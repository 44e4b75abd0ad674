using System.Diagnostics;
using Spectre.Console;
using WorldCluster.Client;
using WorldCluster.Contracts;

namespace WorldCluster.Benchmarks;

/// <summary>
/// (d) Real time: W worlds ticking at a fixed rate, each with P player sessions that act at random moments; each action's
/// latency runs from sending it on the WebSocket to the arrival of the first frame whose merged actions hold it.
/// </summary>
internal sealed class RealtimeBenchmark(WorldClusterClient client, HttpClient metricsHttp, ProgressContext progress)
{
    /// <summary>Runs the measurement and deletes its worlds.</summary>
    public async Task<RealtimeResult> MeasureAsync(string model, int actionCount, int worlds, int players, int hz, double seconds, CancellationToken cancellationToken)
    {
        var task = progress.AddTask($"real time: {worlds} worlds × {players} players at {hz} Hz", maxValue: 2 + seconds);
        var ids = new List<string>();
        var sessions = new List<WorldSession>();
        var acting = new List<Player>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            for (var w = 0; w < worlds; w++)
            {
                ids.Add((await client.CreateWorldAsync(model, w + 1, players, hz, cancellationToken)).Id);
            }
            foreach (var id in ids)
            {
                for (var p = 0; p < players; p++)
                {
                    var session = await client.ConnectSessionAsync(id, SessionRole.Player, $"bench player {p}", cancellationToken: cancellationToken);
                    sessions.Add(session);
                    acting.Add(new Player(session, actionCount, TimeSpan.FromSeconds(1.0 / hz), acting.Count, stop.Token));
                }
            }
            task.Value = 1;
            // Warm-up: every world ticks with all its players.
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(1, seconds / 2)), cancellationToken);
            task.Value = 2;

            var before = await MetricsScrape.ReadAsync(metricsHttp, cancellationToken);
            foreach (var p in acting)
            {
                p.Measuring = true;
            }
            var started = Stopwatch.GetTimestamp();
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
            foreach (var p in acting)
            {
                p.Measuring = false;
            }
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var after = await MetricsScrape.ReadAsync(metricsHttp, cancellationToken);
            task.Value = 2 + seconds;

            var latencies = acting.SelectMany(p => p.Latencies).Order().ToArray();
            (string, string) label = ("model", model);
            HistogramReading Delta(string name) => after.Histogram(name, label).Since(before.Histogram(name, label));
            var tick = Delta("worldcluster_tick_seconds");
            var forward = Delta("worldcluster_tick_forward_seconds");
            var overhead = Delta("worldcluster_tick_overhead_seconds");
            var late = after.Sum("worldcluster_ticks_late_total", label) - before.Sum("worldcluster_ticks_late_total", label)
                + after.Sum("worldcluster_ticks_skipped_total", label) - before.Sum("worldcluster_ticks_skipped_total", label);
            var latencyP50 = Percentile(latencies, 0.50);
            var latencyP99 = Percentile(latencies, 0.99);
            var meanForwardMs = forward.Mean * 1000;
            return new RealtimeResult(
                worlds, players, hz, Round(elapsed), Round(tick.Count / elapsed / worlds), latencies.Length,
                Round(latencyP50), Round(latencyP99), Ms(tick.Quantile(0.50)), Ms(tick.Quantile(0.99)),
                Ms(forward.Quantile(0.50)), Ms(forward.Quantile(0.99)), Ms(overhead.Quantile(0.50)), Ms(overhead.Quantile(0.99)),
                Round(latencyP50 - meanForwardMs), Round(latencyP99 - meanForwardMs), (long)late);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(sessions.Select(s => s.DisposeAsync().AsTask()));
            await Task.WhenAll(ids.Select(async id =>
            {
                try
                {
                    await client.DeleteAsync(id, CancellationToken.None);
                }
                catch (Exception e) when (e is WorldClusterException or HttpRequestException)
                {
                    // Leaving a benchmark world behind is harmless; the measurement's own error matters more.
                }
            }));
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Ms(double seconds) => Round(seconds * 1000);

    private static double Round(double value) => Math.Round(value, 3);

    /// <summary>One player session: after each frame, if it has no action in flight, it sends one at a random moment within the next tick period.</summary>
    private sealed class Player
    {
        private readonly WorldSession _session;
        private readonly int _slot;
        private readonly int _actionCount;
        private readonly TimeSpan _period;
        private readonly Random _random;
        private readonly Lock _gate = new();
        private readonly List<double> _latencies = [];
        private int _pending;
        private long _sentAt;
        private bool _sentWhileMeasuring;
        private volatile bool _measuring;

        public Player(WorldSession session, int actionCount, TimeSpan period, int seed, CancellationToken cancellationToken)
        {
            _session = session;
            _slot = session.Welcome.Slot ?? throw new InvalidOperationException("a player session has a slot");
            _actionCount = actionCount;
            _period = period;
            _random = new Random(seed);
            _ = Task.Run(() => ReadAsync(cancellationToken), CancellationToken.None);
        }

        /// <summary>Whether actions sent now count.</summary>
        public bool Measuring
        {
            get => _measuring;
            set => _measuring = value;
        }

        public IReadOnlyList<double> Latencies
        {
            get
            {
                lock (_gate)
                {
                    return [.. _latencies];
                }
            }
        }

        private async Task ReadAsync(CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var frame in _session.Frames(cancellationToken))
                {
                    var arrived = Stopwatch.GetTimestamp();
                    bool idle;
                    lock (_gate)
                    {
                        if (_pending != 0 && frame.Actions.Length > _slot && frame.Actions[_slot] == _pending)
                        {
                            if (_sentWhileMeasuring)
                            {
                                _latencies.Add(Stopwatch.GetElapsedTime(_sentAt, arrived).TotalMilliseconds);
                            }
                            _pending = 0;
                        }
                        idle = _pending == 0;
                        if (idle)
                        {
                            // Claim the slot now, so the next frame does not send a second action.
                            _pending = -1;
                        }
                    }
                    if (idle)
                    {
                        _ = SendLaterAsync(cancellationToken);
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or WorldSessionClosedException)
            {
                // The benchmark ended the session, or the server did; either way this player is done.
            }
        }

        // Sends a non-noop action at a uniformly random moment of the next period, so latencies sample every phase of a tick.
        private async Task SendLaterAsync(CancellationToken cancellationToken)
        {
            int action;
            TimeSpan wait;
            lock (_gate)
            {
                action = 1 + _random.Next(_actionCount - 1);
                wait = TimeSpan.FromTicks((long)(_random.NextDouble() * _period.Ticks));
            }
            try
            {
                await Task.Delay(wait, cancellationToken);
                lock (_gate)
                {
                    _pending = action;
                    _sentAt = Stopwatch.GetTimestamp();
                    _sentWhileMeasuring = Measuring;
                }
                await _session.SendActionAsync(action, cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or System.Net.WebSockets.WebSocketException or ObjectDisposedException)
            {
            }
        }
    }
}
