using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using WorldCluster.Cli.Commands;
using WorldCluster.Models.Catalog;
using WorldCluster.Models.Contract;
using static TorchSharp.torch;

namespace WorldCluster.Benchmarks;

/// <summary><c>worldcluster-bench agents</c>: an agent farm's paths side by side — the model's loop, served, the Python vector env, PyTorch.</summary>
internal static class AgentsBenchCommand
{
    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Builds the verb.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var models = new Option<string[]>("--model") { Description = "A model to measure (repeatable); default: every model the host serves", AllowMultipleArgumentsPerToken = false };
        var worlds = new Option<int[]>("--worlds") { Description = "World counts (repeatable)", DefaultValueFactory = _ => [1, 64, 256], AllowMultipleArgumentsPerToken = false };
        var seconds = new Option<double>("--seconds") { Description = "Length of each measurement", DefaultValueFactory = _ => 3 };
        seconds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() <= 0)
            {
                r.AddError("--seconds must be above 0");
            }
        });
        var packages = new Option<string[]>("--packages")
        {
            Description = "A model package folder for the in-process host to serve (repeatable), e.g. tests/fixtures/models; TorchScript packages also get the PyTorch loops",
            AllowMultipleArgumentsPerToken = false,
        };
        var output = new Option<string>("--out") { Description = "Where to write the JSON report", DefaultValueFactory = _ => "bench-agents.json" };
        var command = new Command("agents",
            "Measures each model at each world count: (a) its own batched loop, (b) served in-process, (c) the Python VectorWorldEnv over the agent plane (frames raw, none), (d) PyTorch per world and batched over the same TorchScript package")
        {
            models, worlds, seconds, packages, output,
        };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            var counts = (parse.GetValue(worlds) ?? [1, 64, 256]).Distinct().Order().ToArray();
            if (counts.Any(n => n is < 1 or > 1024))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("error: --worlds must be 1..1024");
                return 2;
            }
            var folders = (parse.GetValue(packages) ?? []).Select(Path.GetFullPath).ToArray();
            var length = parse.GetValue(seconds);
            var machine = MachineInfo.Describe();
            if (!console.Profile.Out.IsTerminal)
            {
                console.Profile.Width = Math.Max(console.Profile.Width, 200);
            }
            console.MarkupLineInterpolated($"[bold]bench agents[/] on {machine.Cpu}, {machine.Cores} cores, {machine.MemoryGiB} GiB, {machine.Dotnet}, {machine.Os}");
            var started = DateTimeOffset.UtcNow;
            var host = await InProcessHost.StartAsync(ct,
            [
                "--WorldCluster:Batching:MaxBatchSize", counts.Max().ToString(CultureInfo.InvariantCulture),
                .. folders.SelectMany((folder, i) => new[] { $"--WorldCluster:Models:Packages:{i}", folder }),
            ]);
            try
            {
                var catalog = host.Services.GetRequiredService<ModelCatalog>();
                var selected = new List<IWorldModel>();
                var named = parse.GetValue(models) is { Length: > 0 };
                foreach (var name in named ? parse.GetValue(models)! : catalog.All.Select(m => m.Manifest.Name))
                {
                    if (!catalog.TryGet(name, out var model))
                    {
                        await parse.InvocationConfiguration.Error.WriteLineAsync(
                            $"error: model '{name}' is not served (served: {string.Join(", ", catalog.All.Select(m => m.Manifest.Name))})");
                        return 2;
                    }
                    // The plane's Step carries discrete actions only, and the model loop steps with one action tensor.
                    if (!model.Manifest.ActionSpace.IsDiscrete)
                    {
                        if (named)
                        {
                            await parse.InvocationConfiguration.Error.WriteLineAsync($"error: model '{name}' has structured actions; bench agents measures discrete-action models");
                            return 2;
                        }
                        console.MarkupLineInterpolated($"skipped {name}: structured actions (the agent plane's Step carries discrete actions)");
                        continue;
                    }
                    selected.Add(model);
                }
                // The host set libtorch's threads (WorldCluster:TorchThreads); the PyTorch peer gets the same.
                var threads = new TorchThreads(get_num_threads(), get_num_interop_threads(), 0, 0, "");
                var results = new List<AgentsModelResult>();
                await console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async progress =>
                    {
                        var packages = new List<string?>();
                        foreach (var model in selected)
                        {
                            results.Add(await MeasureServedAsync(host, model, counts, length, progress, ct));
                            packages.Add(FindTorchScript(folders, model.Manifest));
                        }
                        // The PyTorch peer runs with no silo in this process: beside an idle in-process host it measured 10-20x
                        // slower than alone (batched, 256 worlds: 2,533 steps/s against about 45,000), which compared nothing.
                        await host.DisposeAsync();
                        host = null;
                        for (var i = 0; i < results.Count; i++)
                        {
                            if (packages[i] is { } package)
                            {
                                (results[i], threads) = await MeasureTorchAsync(results[i], selected[i].Manifest, package, length, threads, progress, ct);
                            }
                        }
                    });
                console.MarkupLineInterpolated(
                    $"libtorch threads: TorchSharp intra-op {threads.IntraOp}, inter-op {threads.InterOp}; PyTorch {threads.PeerTorch} intra-op {threads.PeerIntraOp}, inter-op {threads.PeerInterOp}");
                foreach (var result in results)
                {
                    Print(console, result);
                }
                var path = Path.GetFullPath(parse.GetValue(output)!);
                await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new AgentsReport("agents", started, machine, length, threads, results), ReportJson), ct);
                console.MarkupLineInterpolated($"wrote {path}");
                return 0;
            }
            finally
            {
                if (host is not null)
                {
                    await host.DisposeAsync();
                }
            }
        });
        return command;
    }

    private static async Task<AgentsModelResult> MeasureServedAsync(
        InProcessHost host, IWorldModel model, int[] counts, double seconds, ProgressContext progress, CancellationToken ct)
    {
        var manifest = model.Manifest;
        var name = manifest.Name;
        var limit = new Dictionary<int, double>();
        var served = new Dictionary<int, double>();
        using var http = CliOptions.CreateHttp(host.Url);
        var bench = new ServedBenchmark(new GrainWorldDriver(host.Services.GetRequiredService<IGrainFactory>()), http, progress);
        foreach (var n in counts)
        {
            var task = progress.AddTask($"(a) {name}: the model's own loop at {n}", maxValue: 1);
            // No world exists between served measurements, so nothing else steps the single-threaded model.
            limit[n] = (await Task.Run(() => ModelLimitBenchmark.Measure(model, n, TimeSpan.FromSeconds(seconds)), ct)).StepsPerSecond;
            task.Value = 1;
            served[n] = (await bench.MeasureAsync(name, manifest.ActionSpace.N, n, seconds, $"(b) {name} served", ct)).StepsPerSecond;
        }
        var vectorTask = progress.AddTask($"(c) {name}: Python VectorWorldEnv", maxValue: 1);
        var vector = await PythonChild.RunAsync("bench_agents.py",
            ["vector", .. Common(counts, seconds, manifest), "--url", host.Url.ToString(), "--token", host.AdminToken, "--model", name], ct);
        vectorTask.Value = 1;
        var rows = counts.Select(n =>
        {
            var frames = Rate(vector, "frames", n);
            return new AgentsRow(n, limit[n], served[n], frames, Rate(vector, "noFrames", n), 0, 0, Ratio(frames, limit[n]), 0);
        }).ToList();
        return new AgentsModelResult(manifest.Id, false, rows);
    }

    private static async Task<(AgentsModelResult Result, TorchThreads Threads)> MeasureTorchAsync(
        AgentsModelResult result, ModelManifest manifest, string package, double seconds, TorchThreads threads, ProgressContext progress, CancellationToken ct)
    {
        var task = progress.AddTask($"(d) {manifest.Name}: PyTorch loops", maxValue: 1);
        var torch = await PythonChild.RunAsync("bench_agents.py",
        [
            "torch", .. Common([.. result.Rows.Select(r => r.Worlds)], seconds, manifest), "--package", package,
            "--players", manifest.MaxPlayers.ToString(CultureInfo.InvariantCulture),
            "--threads", threads.IntraOp.ToString(CultureInfo.InvariantCulture), "--interop", threads.InterOp.ToString(CultureInfo.InvariantCulture),
        ], ct);
        task.Value = 1;
        var peer = threads with
        {
            PeerIntraOp = torch.GetProperty("threads").GetInt32(),
            PeerInterOp = torch.GetProperty("interopThreads").GetInt32(),
            PeerTorch = torch.GetProperty("torch").GetString() ?? "",
        };
        var rows = result.Rows.Select(r =>
        {
            var batched = Rate(torch, "batched", r.Worlds);
            return r with { TorchPerWorld = Rate(torch, "perWorld", r.Worlds), TorchBatched = batched, VectorOverTorchBatched = Ratio(r.VectorFrames, batched) };
        }).ToList();
        return (result with { TorchScript = true, Rows = rows }, peer);
    }

    private static string[] Common(int[] counts, double seconds, ModelManifest manifest) =>
    [
        "--worlds", string.Join(',', counts.Select(n => n.ToString(CultureInfo.InvariantCulture))),
        "--seconds", seconds.ToString(CultureInfo.InvariantCulture),
        "--actions", manifest.ActionSpace.N.ToString(CultureInfo.InvariantCulture),
    ];

    // The package folder's model.json naming this model with TorchScript weights: the file the PyTorch peer loads.
    private static string? FindTorchScript(string[] folders, ModelManifest manifest)
    {
        foreach (var file in folders.Where(Directory.Exists).SelectMany(f => Directory.EnumerateFiles(f, "model.json", SearchOption.AllDirectories)))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var root = json.RootElement;
            if (root.TryGetProperty("name", out var n) && n.GetString() == manifest.Name
                && root.TryGetProperty("version", out var v) && v.GetString() == manifest.Version
                && root.TryGetProperty("weights", out var w) && w.TryGetProperty("format", out var f) && f.GetString() == "torchscript")
            {
                return Path.Combine(Path.GetDirectoryName(file)!, w.GetProperty("file").GetString()!);
            }
        }
        return null;
    }

    private static double Rate(JsonElement result, string path, int worlds) =>
        result.GetProperty(path).EnumerateArray().First(p => p.GetProperty("worlds").GetInt32() == worlds).GetProperty("stepsPerSecond").GetDouble();

    private static double Ratio(double a, double b) => b > 0 ? Math.Round(a / b, 3) : 0;

    private static void Print(IAnsiConsole console, AgentsModelResult model)
    {
        console.WriteLine();
        console.MarkupLineInterpolated($"[bold]{model.Model}[/] (steps/s){(model.TorchScript ? "" : "; not a TorchScript package, so no PyTorch loops")}");
        var table = new Table().Border(TableBorder.Markdown).AddColumns(
            "worlds", "(a) model loop", "(b) served", "(c) Python vector env, frames", "(c) no frames", "(d) PyTorch per world", "(d) PyTorch batched",
            "(c) ÷ (a)", "(c) ÷ (d) batched");
        foreach (var r in model.Rows)
        {
            table.AddRow(r.Worlds.ToString(CultureInfo.InvariantCulture), Number(r.ModelLoop), Number(r.Served), Number(r.VectorFrames), Number(r.VectorNoFrames),
                Number(r.TorchPerWorld), Number(r.TorchBatched), Ratio(r.VectorOverModel), Ratio(r.VectorOverTorchBatched));
        }
        console.Write(table);
        var large = model.Rows.Where(r => r.Worlds >= 64).ToList();
        if (large.Count > 0)
        {
            console.MarkupLineInterpolated(
                $"goal (c) ≥ 0.8 × (a) at 64 worlds and up: {(large.All(r => r.VectorOverModel >= 0.8) ? "met" : "NOT met")}; goal (c) ≥ 1.0 × (d) batched: {(!model.TorchScript ? "-" : large.All(r => r.VectorOverTorchBatched >= 1.0) ? "met" : "NOT met")}");
        }
    }

    private static string Number(double value) => value > 0 ? value.ToString("N0", CultureInfo.InvariantCulture) : "-";

    private static string Ratio(double value) => value > 0 ? value.ToString("F2", CultureInfo.InvariantCulture) : "-";
}
