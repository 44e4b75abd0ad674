using System.Diagnostics;
using Spectre.Console;
using WorldCluster.Client;
using WorldCluster.Contracts;

namespace WorldCluster.Benchmarks;

/// <summary>
/// Measures whether a real-time world keeps its tick rate when many sessions watch it: one player session keeps the
/// world ticking and times frame arrivals; a phase with no subscribers is compared with a phase with N spectators, and
/// every subscriber's frames are counted against the ticks produced.
/// </summary>
internal sealed class FanoutBenchmark(WorldClusterClient client, FanoutSettings settings, ProgressContext progress)
{
    // How long subscribers may take, after a phase, to receive its last tick before they count as missing frames.
    private static readonly TimeSpan CatchUpDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Creates the world, joins the player, runs both phases, and deletes the world.</summary>
    public async Task<(string WorldId, FanoutPhase[] Phases)> RunAsync(CancellationToken cancellationToken)
    {
        var world = await client.CreateWorldAsync(settings.Model, seed: 1, players: 1, tickHz: settings.Hz, cancellationToken);
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await using var player = await client.ConnectSessionAsync(world.Id, SessionRole.Player, "bench player", cancellationToken: cancellationToken);
            var recorder = SessionRecorder.Start(player, stop.Token);

            // One second of ticks before measuring: the first ticks pay for JIT and first-touch costs.
            var warmUp = progress.AddTask("warm up (1 s of ticks)", maxValue: 1);
            await recorder.WaitForFramesAsync(settings.Hz + 1).WaitAsync(cancellationToken);
            warmUp.Value = 1;

            var phases = new List<FanoutPhase>();
            foreach (var subscribers in new[] { 0, settings.Subscribers })
            {
                phases.Add(await MeasureAsync(world.Id, recorder, subscribers, cancellationToken));
            }
            await stop.CancelAsync();
            return (world.Id, [.. phases]);
        }
        finally
        {
            try
            {
                await client.DeleteAsync(world.Id, CancellationToken.None);
            }
            catch (Exception e) when (e is WorldClusterException or HttpRequestException)
            {
                // Leaving the benchmark's world behind is harmless; the measurement's own error matters more.
            }
        }
    }

    private async Task<FanoutPhase> MeasureAsync(string worldId, SessionRecorder player, int subscriberCount, CancellationToken cancellationToken)
    {
        var subscribers = new List<(WorldSession Session, SessionRecorder Recorder)>();
        using var stopSubscribers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var connectSeconds = subscriberCount == 0 ? 0 : await ConnectAsync(worldId, subscriberCount, subscribers, stopSubscribers.Token);
            if (subscribers.Count > 0)
            {
                // Start the phase only once the player has seen every subscriber's first tick, so that every tick of
                // the phase is one each subscriber was connected for.
                await player.WaitForTickAsync(subscribers.Max(s => s.Recorder.FirstTick)).WaitAsync(cancellationToken);
            }

            var measuring = progress.AddTask($"{subscriberCount} subscribers: measure {settings.Seconds:0.#} s", maxValue: settings.Seconds);
            var (startCount, startTick) = player.Mark();
            var started = Stopwatch.GetTimestamp();
            var phase = Task.Delay(TimeSpan.FromSeconds(settings.Seconds), cancellationToken);
            while (await Task.WhenAny(phase, Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken)) != phase)
            {
                measuring.Value = Math.Min(settings.Seconds, Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
            await phase;
            var (endCount, endTick) = player.Mark();
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            measuring.Value = settings.Seconds;

            var ticks = endTick - startTick;
            var (playerTicks, arrivals) = player.Slice(Math.Max(0, startCount - 1), endCount);
            var intervals = new double[Math.Max(0, arrivals.Length - 1)];
            var playerGaps = 0;
            for (var i = 1; i < arrivals.Length; i++)
            {
                intervals[i - 1] = Stopwatch.GetElapsedTime(arrivals[i - 1], arrivals[i]).TotalMilliseconds;
                playerGaps += playerTicks[i] == playerTicks[i - 1] + 1 ? 0 : 1;
            }
            Array.Sort(intervals);

            var (framesMin, framesMax, missing, gaps, disconnected) = subscriberCount == 0
                ? (0L, 0L, 0L, 0, 0)
                : await CountAsync(subscribers, startTick, endTick, cancellationToken);

            return new FanoutPhase(
                subscriberCount,
                Round(seconds),
                settings.Hz,
                startTick,
                endTick,
                ticks,
                Round(ticks / seconds),
                Round(Percentile(intervals, 0.50)),
                Round(Percentile(intervals, 0.99)),
                Round(intervals.Length == 0 ? 0 : intervals[^1]),
                playerGaps,
                Round(connectSeconds),
                framesMin,
                framesMax,
                subscriberCount == 0 ? 0 : ticks,
                missing,
                gaps,
                disconnected);
        }
        finally
        {
            await Task.WhenAll(subscribers.Select(s => s.Session.DisposeAsync().AsTask()));
            await stopSubscribers.CancelAsync();
        }
    }

    // Connects every subscriber and waits for its first frame; returns the seconds that took.
    private async Task<double> ConnectAsync(string worldId, int count, List<(WorldSession, SessionRecorder)> subscribers, CancellationToken cancellationToken)
    {
        var connecting = progress.AddTask($"connect {count} subscribers", maxValue: count);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var session = await client.ConnectSessionAsync(worldId, SessionRole.Spectator, $"bench subscriber {i}", cancellationToken: cancellationToken);
            var recorder = SessionRecorder.Start(session, cancellationToken);
            lock (subscribers)
            {
                subscribers.Add((session, recorder));
            }
            await recorder.WaitForFramesAsync(1).WaitAsync(cancellationToken);
            connecting.Increment(1);
        }));
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    // Counts, for each subscriber, the phase's ticks it received: every tick in (startTick, endTick] since it joined.
    private async Task<(long Min, long Max, long Missing, int Gaps, int Disconnected)> CountAsync(
        List<(WorldSession Session, SessionRecorder Recorder)> subscribers, long startTick, long endTick, CancellationToken cancellationToken)
    {
        var catchingUp = progress.AddTask("subscribers receive the phase's last tick", maxValue: subscribers.Count);
        await Task.WhenAll(subscribers.Select(async s =>
        {
            try
            {
                await s.Recorder.WaitForTickAsync(endTick).WaitAsync(CatchUpDeadline, cancellationToken);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                // Counted below as missing frames (and as a disconnect when the server ended the session).
            }
            catchingUp.Increment(1);
        }));
        long min = long.MaxValue, max = 0, missing = 0;
        int gaps = 0, disconnected = 0;
        foreach (var (_, recorder) in subscribers)
        {
            var received = recorder.FramesBetween(startTick, endTick);
            var expected = endTick - Math.Max(startTick, recorder.FirstTick - 1);
            (min, max) = (Math.Min(min, received), Math.Max(max, received));
            missing += Math.Max(0, expected - received);
            gaps += recorder.Gaps;
            disconnected += recorder.Failure is null ? 0 : 1;
        }
        return (min, max, missing, gaps, disconnected);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Round(double value) => Math.Round(value, 3);
}
