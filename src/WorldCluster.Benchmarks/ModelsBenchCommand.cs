using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using WorldCluster.Cli.Commands;
using WorldCluster.Client;
using WorldCluster.Models.Catalog;
using WorldCluster.Models.Contract;

namespace WorldCluster.Benchmarks;

/// <summary><c>worldcluster-bench models</c>: the model's limit, served and unbatched throughput, and real-time latency, in one run.</summary>
internal static class ModelsBenchCommand
{
    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Builds the verb.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var url = new Option<Uri?>("--url")
        {
            Description = "Measure (b) and (d) on a running WorldCluster; (a) still runs in this process and (c) is skipped",
            CustomParser = CliOptions.ParseUrl,
        };
        var models = new Option<string[]>("--model") { Description = "A model to measure (repeatable); default: every model the host serves", AllowMultipleArgumentsPerToken = false };
        var seconds = new Option<double>("--seconds") { Description = "Length of each measurement", DefaultValueFactory = _ => 5 };
        seconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() <= 0)
            {
                r.AddError("--seconds must be above 0");
            }
        });
        var quick = new Option<bool>("--quick") { Description = "A short run: batch sizes 1, 4, 16; 1 and 16 worlds; 4 real-time worlds; 0.5 s each" };
        var realtimeWorlds = CliOptions.AtLeast(1, new Option<int>("--realtime-worlds") { Description = "Worlds ticking in real time in (d)", DefaultValueFactory = _ => 64 });
        var players = CliOptions.AtLeast(1, new Option<int>("--players") { Description = "Player sessions per real-time world (at most the model's)", DefaultValueFactory = _ => 4 });
        var hz = CliOptions.AtLeast(1, new Option<int>("--hz") { Description = "Tick rate of the real-time worlds", DefaultValueFactory = _ => 20 });
        var delay = new Option<double>("--max-queue-delay") { Description = "The batcher's max queue delay in ms, for the in-process hosts", DefaultValueFactory = _ => 2 };
        var output = new Option<string>("--out") { Description = "Where to write the JSON report", DefaultValueFactory = _ => "bench-models.json" };
        var packages = new Option<string[]>("--packages")
        {
            Description = "A model package folder for the in-process hosts to serve (repeatable; replaces the default folders), e.g. tests/fixtures/models",
            AllowMultipleArgumentsPerToken = false,
        };
        var token = CliOptions.Token();
        var command = new Command("models",
            "Measures each model: (a) its own step in a tight loop, (b) worlds served through the cluster, (c) the same unbatched, (d) real-time latency")
        {
            url, models, seconds, quick, realtimeWorlds, players, hz, delay, output, packages, token,
        };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            var isQuick = parse.GetValue(quick);
            var settings = new ModelsSettings(
                parse.GetValue(url)?.ToString(),
                parse.GetValue(url) is null ? "orleans" : "http",
                isQuick && parse.GetResult(seconds) is not { Implicit: false } ? 0.5 : parse.GetValue(seconds),
                isQuick ? [1, 4, 16] : [1, 2, 4, 8, 16, 32, 64, 128, 256],
                isQuick ? [1, 16] : [1, 16, 64, 256],
                parse.GetValue(delay),
                isQuick ? Math.Min(4, parse.GetValue(realtimeWorlds)) : parse.GetValue(realtimeWorlds),
                parse.GetValue(players),
                parse.GetValue(hz));
            var machine = MachineInfo.Describe();
            if (!console.Profile.Out.IsTerminal)
            {
                console.Profile.Width = Math.Max(console.Profile.Width, 200);
            }
            console.MarkupLineInterpolated($"[bold]bench models[/] on {machine.Cpu}, {machine.Cores} cores, {machine.MemoryGiB} GiB, {machine.Dotnet}, {machine.Os}");
            var started = DateTimeOffset.UtcNow;
            var results = new List<ModelResult>();
            string? unknown = null;
            await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    unknown = await RunAsync(settings, parse.GetValue(models) ?? [], parse.GetValue(packages) ?? [], parse.GetValue(token), progress, results, ct);
                });
            if (unknown is not null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {unknown}");
                return 2;
            }
            var report = new ModelsReport("models", started, machine, settings, results);
            foreach (var model in results)
            {
                Print(console, model);
            }
            var path = Path.GetFullPath(parse.GetValue(output)!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, ReportJson), ct);
            console.MarkupLineInterpolated($"wrote {path}");
            return 0;
        });
        return command;
    }

    // Runs (a), (b) and (d) on a host batching up to the largest size, then (c) on a host with a max batch size of 1.
    private static async Task<string?> RunAsync(
        ModelsSettings settings, string[] wanted, string[] packages, string? token, ProgressContext progress, List<ModelResult> results, CancellationToken ct)
    {
        var maxBatch = Math.Max(settings.BatchSizes.Max(), settings.Worlds.Max());
        var starting = progress.AddTask("start an in-process host", maxValue: 1);
        var host = await InProcessHost.StartAsync(ct, HostSettings(maxBatch, settings.MaxQueueDelayMs, packages));
        starting.Value = 1;
        var pending = new List<(IWorldModel Model, List<LimitPoint> Limit, List<ServedPoint> Served, RealtimeResult Realtime)>();
        try
        {
            var catalog = host.Services.GetRequiredService<ModelCatalog>();
            var selected = new List<IWorldModel>();
            foreach (var name in wanted.Length == 0 ? catalog.All.Select(m => m.Manifest.Name) : wanted)
            {
                if (!catalog.TryGet(name, out var model))
                {
                    return $"model '{name}' is not served (served: {string.Join(", ", catalog.All.Select(m => m.Manifest.Name))})";
                }
                selected.Add(model);
            }
            foreach (var model in selected)
            {
                var task = progress.AddTask($"(a) {model.Manifest.Name}: the model's own step", maxValue: settings.BatchSizes.Count);
                var limit = new List<LimitPoint>();
                foreach (var size in settings.BatchSizes)
                {
                    // The model is single-threaded; nothing else steps it while no world exists.
                    limit.Add(await Task.Run(() => ModelLimitBenchmark.Measure(model, size, TimeSpan.FromSeconds(settings.Seconds)), ct));
                    task.Increment(1);
                }
                pending.Add((model, limit, [], null!));
            }
            if (settings.Url is { } remote)
            {
                await host.DisposeAsync();
                host = null;
                using var http = CliOptions.CreateHttp(new Uri(remote));
                await ServeAsync(new HttpWorldDriver(new WorldClusterClient(http, token)), http, token, settings, progress, pending, remeasure: false, ct);
            }
            else
            {
                using var http = CliOptions.CreateHttp(host.Url);
                await ServeAsync(new GrainWorldDriver(host.Services.GetRequiredService<IGrainFactory>()), http, host.AdminToken, settings, progress, pending, remeasure: true, ct);
            }
        }
        finally
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }

        var unbatched = pending.ToDictionary(p => p.Model.Manifest.Name, _ => new List<ServedPoint>());
        if (settings.Url is null)
        {
            await using var single = await InProcessHost.StartAsync(ct, HostSettings(1, settings.MaxQueueDelayMs, packages));
            using var http = CliOptions.CreateHttp(single.Url);
            var served = new ServedBenchmark(new GrainWorldDriver(single.Services.GetRequiredService<IGrainFactory>()), http, progress);
            foreach (var (model, _, _, _) in pending)
            {
                foreach (var worlds in settings.Worlds)
                {
                    unbatched[model.Manifest.Name].Add(await served.MeasureAsync(model.Manifest.Name, model.Manifest.ActionSpace.N, worlds, settings.Seconds, "(c) unbatched", ct));
                }
            }
        }
        results.AddRange(pending.Select(p => Summarize(p.Model.Manifest, p.Limit, p.Served, unbatched[p.Model.Manifest.Name], p.Realtime)));
        return null;
    }

    private static async Task ServeAsync(IWorldDriver driver, HttpClient http, string? token, ModelsSettings settings, ProgressContext progress,
        List<(IWorldModel Model, List<LimitPoint> Limit, List<ServedPoint> Served, RealtimeResult Realtime)> pending, bool remeasure, CancellationToken ct)
    {
        var served = new ServedBenchmark(driver, http, progress);
        var realtime = new RealtimeBenchmark(new WorldClusterClient(http, token), http, progress);
        for (var i = 0; i < pending.Count; i++)
        {
            var manifest = pending[i].Model.Manifest;
            foreach (var worlds in settings.Worlds)
            {
                var index = pending[i].Limit.FindIndex(l => l.BatchSize == worlds);
                if (remeasure && index >= 0)
                {
                    // (a) again right before (b) at the same size: on a shared machine the load drifts, and a ratio should
                    // compare two figures taken under the same conditions. No world exists between served measurements.
                    var model = pending[i].Model;
                    pending[i].Limit[index] = await Task.Run(() => ModelLimitBenchmark.Measure(model, worlds, TimeSpan.FromSeconds(settings.Seconds)), ct);
                }
                var m = await served.MeasureAsync(manifest.Name, manifest.ActionSpace.N, worlds, settings.Seconds, $"(b) {manifest.Name} served", ct);
                var limit = index >= 0 ? pending[i].Limit[index] : null;
                pending[i].Served.Add(m with { Efficiency = limit is null ? 0 : Math.Round(m.StepsPerSecond / limit.StepsPerSecond, 3) });
            }
            var result = await realtime.MeasureAsync(manifest.Name, manifest.ActionSpace.N, settings.RealtimeWorlds,
                Math.Min(settings.RealtimePlayers, manifest.MaxPlayers), settings.Hz, settings.Seconds, ct);
            pending[i] = pending[i] with { Realtime = result };
        }
    }

    private static ModelResult Summarize(ModelManifest manifest, List<LimitPoint> limit, List<ServedPoint> served, List<ServedPoint> unbatched, RealtimeResult realtime)
    {
        var one = limit.FirstOrDefault(l => l.BatchSize == 1)?.StepsPerSecond ?? 0;
        var modelGain = one > 0 ? Math.Round(limit.Max(l => l.StepsPerSecond) / one, 3) : 0;
        var largest = served.MaxBy(s => s.Worlds)!;
        var unbatchedLargest = unbatched.FirstOrDefault(u => u.Worlds == largest.Worlds);
        var servedGain = unbatchedLargest is { StepsPerSecond: > 0 } ? Math.Round(largest.StepsPerSecond / unbatchedLargest.StepsPerSecond, 3) : 0;
        var from16 = served.Where(s => s.Worlds >= 16 && s.Efficiency > 0).Select(s => s.Efficiency).DefaultIfEmpty(0).Min();
        var gainShare = modelGain > 0 ? Math.Round(servedGain / modelGain, 3) : 0;
        var goals = new GoalChecks(from16, from16 >= 0.9, gainShare, gainShare >= 0.9, realtime.OverheadP99Ms <= 2, realtime.LateTicks == 0);
        var stateBytes = manifest.StoredState.Sum(s => s.ByteCount);
        var profile = served.Select(s => StepProfile.Of(s, limit)).OfType<StepProfile>().ToList();
        return new ModelResult(manifest.Id, stateBytes, manifest.Observation.ByteCount, limit, served, unbatched, modelGain, servedGain, realtime, goals, profile);
    }

    private static void Print(IAnsiConsole console, ModelResult model)
    {
        console.WriteLine();
        console.MarkupLineInterpolated($"[bold]{model.Model}[/]: state {model.StateBytes} bytes, frame {model.FrameBytes} bytes per world");
        var table = new Table().Border(TableBorder.Markdown).AddColumns(
            "batch size / worlds", "(a) limit steps/s", "(a) ms per call", "(b) served steps/s", "(b) mean batch", "(b) ms per call (forward) / queued / journal", "(b) model busy", "efficiency (b)/(a)", "(c) unbatched steps/s");
        var sizes = model.Limit.Select(l => l.BatchSize).Union(model.Served.Select(s => s.Worlds)).Order();
        foreach (var n in sizes)
        {
            var a = model.Limit.FirstOrDefault(l => l.BatchSize == n);
            var b = model.Served.FirstOrDefault(s => s.Worlds == n);
            var c = model.Unbatched.FirstOrDefault(s => s.Worlds == n);
            table.AddRow(Number(n), a is null ? "-" : Number(a.StepsPerSecond, "F0"), a is null ? "-" : Number(a.MsPerCall, "F3"),
                b is null ? "-" : Number(b.StepsPerSecond, "F0"), b is null ? "-" : Number(b.MeanBatchSize, "F1"),
                b is null ? "-" : $"{Number(b.MeanBatchCallMs, "F2")} ({Number(b.MeanForwardMs, "F2")}) / {Number(b.MeanQueueDelayMs, "F2")} / {Number(b.MeanJournalMs, "F2")}",
                b is null ? "-" : Number(b.ModelBusy, "P0"),
                b is null || b.Efficiency == 0 ? "-" : Number(b.Efficiency, "F2"), c is null ? "-" : Number(c.StepsPerSecond, "F0"));
        }
        console.Write(table);
        console.WriteLine();
        var g = model.Goals;
        console.MarkupLineInterpolated(
            $"model's own batch gain {Number(model.ModelBatchGain, "F2")}; served batch gain (b)/(c) at {model.Served.Max(s => s.Worlds)} worlds {Number(model.ServedBatchGain, "F2")} = {Number(g.ServedGainShare, "F2")} of the model's ({Mark(g.ServedGainMet)}, goal ≥ 0.9); lowest efficiency from 16 worlds {Number(g.EfficiencyFrom16, "F2")} ({Mark(g.EfficiencyMet)}, goal ≥ 0.9)");
        console.WriteLine();
        console.MarkupLine("where the time of a served step goes (µs per world step; batcher = the batched call around the model's forward pass; cluster = the rest of the wall time, outside the batched call):");
        var profile = new Table().Border(TableBorder.Markdown).AddColumns(
            "worlds", "mean batch", "µs per served step", "forward", "batcher", "cluster", "model busy", "(a) µs per world at that batch");
        foreach (var p in model.Profile)
        {
            profile.AddRow(Number(p.Worlds), Number(p.MeanBatchSize, "F1"), Number(p.MicrosPerStep, "N0"), Number(p.ForwardMicros, "N0"),
                Number(p.BatcherMicros, "N0"), Number(p.ClusterMicros, "N0"), Number(p.ModelBusy, "P0"),
                p.LimitMicrosLow == p.LimitMicrosHigh ? Number(p.LimitMicrosLow, "N0") : $"{Number(p.LimitMicrosLow, "N0")}–{Number(p.LimitMicrosHigh, "N0")}");
        }
        console.Write(profile);
        console.WriteLine();
        var r = model.Realtime;
        var realtime = new Table().Border(TableBorder.Markdown).AddColumns(
            "(d) worlds × players @ Hz", "ticks/s per world", "actions", "action→frame p50 / p99 (ms)", "not model p50 / p99 (ms)",
            "tick p50 / p99 (ms)", "forward p50 / p99 (ms)", "overhead per tick p50 / p99 (ms)", "late ticks");
        realtime.AddRow($"{r.Worlds} × {r.Players} @ {r.Hz}", Number(r.TicksPerSecondPerWorld, "F2"), Number(r.Actions),
            $"{Number(r.LatencyP50Ms, "F1")} / {Number(r.LatencyP99Ms, "F1")}", $"{Number(r.NotModelP50Ms, "F1")} / {Number(r.NotModelP99Ms, "F1")}",
            $"{Number(r.TickP50Ms, "F2")} / {Number(r.TickP99Ms, "F2")}", $"{Number(r.ForwardP50Ms, "F3")} / {Number(r.ForwardP99Ms, "F3")}",
            $"{Number(r.OverheadP50Ms, "F2")} / {Number(r.OverheadP99Ms, "F2")}", Number(r.LateTicks));
        console.Write(realtime);
        console.WriteLine();
        console.MarkupLineInterpolated($"overhead per tick p99 ≤ 2 ms: {Mark(g.OverheadMet)}; no tick late: {Mark(g.NoLateTicks)}");
    }

    private static string[] HostSettings(int maxBatch, double delayMs, string[] packages) =>
    [
        "--WorldCluster:Batching:MaxBatchSize", maxBatch.ToString(CultureInfo.InvariantCulture),
        "--WorldCluster:Batching:MaxQueueDelay", TimeSpan.FromMilliseconds(delayMs).ToString("c", CultureInfo.InvariantCulture),
        .. packages.SelectMany((folder, i) => new[] { $"--WorldCluster:Models:Packages:{i}", Path.GetFullPath(folder) }),
    ];

    private static string Mark(bool met) => met ? "met" : "NOT met";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
