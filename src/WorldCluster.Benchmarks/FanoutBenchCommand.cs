using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using WorldCluster.Cli.Commands;
using WorldCluster.Client;

namespace WorldCluster.Benchmarks;

/// <summary><c>worldcluster-bench fanout</c>: frame fan-out to many subscribers of one real-time world.</summary>
internal static class FanoutBenchCommand
{
    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Builds the verb.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var url = new Option<Uri?>("--url")
        {
            Description = "Benchmark a running WorldCluster at this address; without it a host is started in this process",
            CustomParser = CliOptions.ParseUrl,
        };
        var hz = CliOptions.AtLeast(1, new Option<int>("--hz") { Description = "The world's real-time tick rate (1-60)", DefaultValueFactory = _ => 20 });
        var subscribers = CliOptions.AtLeast(1, new Option<int>("--subscribers") { Description = "Spectator sessions in the second phase", DefaultValueFactory = _ => 100 });
        var seconds = new Option<double>("--seconds") { Description = "Length of each measured phase", DefaultValueFactory = _ => 10 };
        seconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() <= 0)
            {
                r.AddError("--seconds must be above 0");
            }
        });
        var output = new Option<string>("--out") { Description = "Where to write the JSON report", DefaultValueFactory = _ => "bench-fanout.json" };
        var model = new Option<string>("--model") { Description = "The world's model", DefaultValueFactory = _ => "reference-world" };
        var token = CliOptions.Token();
        var command = new Command("fanout",
            "Measures a real-time world's tick rate with no subscribers and with N spectators, and checks every subscriber gets every frame")
        {
            url, hz, subscribers, seconds, output, model, token,
        };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            var settings = new FanoutSettings(parse.GetValue(url)?.ToString(), parse.GetValue(model)!, parse.GetValue(hz), parse.GetValue(subscribers), parse.GetValue(seconds));
            var machine = MachineInfo.Describe();
            if (!console.Profile.Out.IsTerminal)
            {
                // Redirected output reports a narrow default width; keep lines (and the markdown table) whole.
                console.Profile.Width = Math.Max(console.Profile.Width, 200);
            }
            console.MarkupLineInterpolated($"[bold]bench fanout[/] on {machine.Cpu}, {machine.Cores} cores, {machine.MemoryGiB} GiB, {machine.Dotnet}, {machine.Os}");
            console.MarkupLineInterpolated($"server: {settings.Url ?? "in-process host"}; world: {settings.Model} at {settings.Hz} Hz, 1 player; phases: 0 and {settings.Subscribers} subscribers, {settings.Seconds} s each");
            var started = DateTimeOffset.UtcNow;
            string worldId = "";
            FanoutPhase[] phases = [];
            await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    InProcessHost? host = null;
                    var bearer = parse.GetValue(token);
                    if (parse.GetValue(url) is not { } server)
                    {
                        var starting = progress.AddTask("start an in-process host", maxValue: 1);
                        host = await InProcessHost.StartAsync(ct);
                        starting.Value = 1;
                        server = host.Url;
                        bearer = host.AdminToken;
                    }
                    try
                    {
                        using var http = CliOptions.CreateHttp(server);
                        (worldId, phases) = await new FanoutBenchmark(new WorldClusterClient(http, bearer), settings, progress).RunAsync(ct);
                    }
                    finally
                    {
                        if (host is not null)
                        {
                            await host.DisposeAsync();
                        }
                    }
                });

            var baseline = phases[0].TicksPerSecond;
            var ratio = baseline > 0 ? Math.Round(phases[^1].TicksPerSecond / baseline, 3) : 0;
            var complete = phases.All(p => p.SubscriberFramesMissing == 0 && p.SubscriberGaps == 0 && p.PlayerGaps == 0 && p.SubscribersDisconnected == 0);
            var report = new FanoutReport("fanout", started, machine, settings, worldId, phases, ratio, complete);

            PrintTable(console, report);
            var path = Path.GetFullPath(parse.GetValue(output)!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, ReportJson), ct);
            console.MarkupLineInterpolated($"wrote {path}");
            if (!complete)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("error: some subscribers missed frames, saw gaps or were disconnected (see the table)");
                return 1;
            }
            return 0;
        });
        return command;
    }

    private static void PrintTable(IAnsiConsole console, FanoutReport report)
    {
        var table = new Table().Border(TableBorder.Markdown).AddColumns(
            "subscribers", "target Hz", "ticks/s", "tick interval p50 (ms)", "tick interval p99 (ms)", "ticks",
            "frames per subscriber (min / max)", "missing frames", "gaps (player / subscribers)", "connect (s)");
        foreach (var p in report.Phases)
        {
            var none = p.Subscribers == 0;
            table.AddRow(
                Number(p.Subscribers), Number(p.TargetHz), Number(p.TicksPerSecond, "F2"), Number(p.TickIntervalP50Ms, "F1"), Number(p.TickIntervalP99Ms, "F1"),
                Number(p.Ticks), none ? "-" : $"{Number(p.SubscriberFramesMin)} / {Number(p.SubscriberFramesMax)}",
                none ? "-" : Number(p.SubscriberFramesMissing), $"{Number(p.PlayerGaps)} / {(none ? "-" : Number(p.SubscriberGaps))}",
                none ? "-" : Number(p.SubscriberConnectSeconds, "F2"));
        }
        console.Write(table);
        console.WriteLine();
        console.MarkupLineInterpolated(
            $"ticks/s with {report.Settings.Subscribers} subscribers / ticks/s with 0: [bold]{Number(report.TicksPerSecondRatio, "F3")}[/]; every subscriber got every frame: {(report.Complete ? "yes" : "NO")}");
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
