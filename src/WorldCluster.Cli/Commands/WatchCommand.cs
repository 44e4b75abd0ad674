using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using WorldCluster.Client;
using WorldCluster.Contracts;

namespace WorldCluster.Cli.Commands;

/// <summary><c>watch</c>: joins a world's live session and prints tick, frame rate, latency and durable tick every second.</summary>
internal static class WatchCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var url = CliOptions.Url();
        var token = CliOptions.Token();
        var id = new Argument<string>("id") { Description = "The world id (w-…)" };
        var seconds = new Option<double>("--seconds") { Description = "Stop after this many seconds; 0 watches until Ctrl+C", DefaultValueFactory = _ => 0 };
        var role = new Option<string>("--role") { Description = "Join as a spectator, or as a player (a real-time world ticks only while a player is present)", DefaultValueFactory = _ => "spectator" };
        role.AcceptOnlyFromAmong("spectator", "player");
        var action = new Option<int?>("--action") { Description = "As a player, send this action for every tick" };
        var command = new Command("watch", "Watch a world live: tick, frames per second, latency and durable tick, once a second") { id, seconds, role, action, url, token };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            using var http = CliOptions.CreateHttp(parse.GetValue(url)!);
            var client = new WorldClusterClient(http, parse.GetValue(token));
            var worldId = parse.GetValue(id)!;
            var asPlayer = parse.GetValue(role) == "player";
            await using var session = await client.ConnectSessionAsync(worldId, asPlayer ? SessionRole.Player : SessionRole.Spectator, "worldcluster watch", cancellationToken: ct);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (parse.GetValue(seconds) is > 0 and var s)
            {
                stop.CancelAfter(TimeSpan.FromSeconds(s));
            }
            var welcome = session.Welcome;
            console.MarkupLineInterpolated($"watching [bold]{worldId}[/] as {welcome.Role}{(welcome.Slot is { } slot ? $" (slot {slot})" : "")}, {(welcome.TickHz > 0 ? $"{welcome.TickHz} Hz" : "on demand")}; Ctrl+C stops");

            var stats = new WatchStats();
            var frames = ReadFramesAsync(session, stats, asPlayer ? parse.GetValue(action) : null, stop.Token);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (!frames.IsCompleted && await timer.WaitForNextTickAsync(stop.Token))
                {
                    // Latency is the round trip of a small API call; "behind" is how far the stream trails the world.
                    var started = Stopwatch.GetTimestamp();
                    var world = await client.GetWorldAsync(worldId, stop.Token);
                    var latency = Stopwatch.GetElapsedTime(started);
                    var (tick, durable, fps) = stats.Sample();
                    console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"tick {tick,8}  fps {fps,5:F1}  latency {latency.TotalMilliseconds,6:F1} ms  durable {durable,8}  behind {Math.Max(0, world.Tick - tick),3}"));
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            await stop.CancelAsync();
            await frames;
            var (first, last, count, gaps) = stats.Totals();
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"received {count} frame{(count == 1 ? "" : "s")} (ticks {first}..{last}), {gaps} gaps"));
            return 0;
        });
        return command;
    }

    private static async Task ReadFramesAsync(WorldSession session, WatchStats stats, int? action, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var frame in session.Frames(cancellationToken))
            {
                stats.Add(frame);
                if (action is { } a)
                {
                    await session.SendActionAsync(a, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private sealed class WatchStats
    {
        private readonly Lock _gate = new();
        private long _first = -1;
        private long _tick = -1;
        private long _durable = -1;
        private int _count;
        private int _gaps;
        private int _sampledCount;
        private long _sampledAt = Stopwatch.GetTimestamp();

        public void Add(Frame frame)
        {
            lock (_gate)
            {
                if (_count > 0 && frame.Tick != _tick + 1)
                {
                    _gaps++;
                }
                _first = _count == 0 ? frame.Tick : _first;
                (_tick, _durable) = (frame.Tick, frame.DurableTick);
                _count++;
            }
        }

        public (long Tick, long Durable, double Fps) Sample()
        {
            lock (_gate)
            {
                var now = Stopwatch.GetTimestamp();
                var fps = (_count - _sampledCount) / Stopwatch.GetElapsedTime(_sampledAt, now).TotalSeconds;
                (_sampledCount, _sampledAt) = (_count, now);
                return (_tick, _durable, fps);
            }
        }

        public (long First, long Last, int Count, int Gaps) Totals()
        {
            lock (_gate)
            {
                return (_first, _tick, _count, _gaps);
            }
        }
    }
}
