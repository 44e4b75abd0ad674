using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using WorldCluster.Cli.Commands;
using WorldCluster.Models.Catalog;

namespace WorldCluster.Benchmarks;

/// <summary><c>worldcluster-bench state-path</c>: what resident state saves per world step, against host bytes, per model and world count.</summary>
internal static class StatePathBenchCommand
{
    private static readonly JsonSerializerOptions ReportJson = new() { WriteIndented = true };

    /// <summary>Builds the verb.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var models = new Option<string[]>("--model") { Description = "A model to measure (repeatable); default: every model the host serves" };
        var worlds = new Option<int[]>("--worlds") { Description = "World counts", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [1, 16, 64] };
        var rounds = CliOptions.AtLeast(1, new Option<int>("--rounds") { Description = "Rounds per block", DefaultValueFactory = _ => 50 });
        var blocks = CliOptions.AtLeast(1, new Option<int>("--blocks") { Description = "Blocks per path, alternating", DefaultValueFactory = _ => 5 });
        var packages = new Option<string[]>("--packages") { Description = "A model package folder to serve too (repeatable), e.g. tests/fixtures/models-large" };
        var output = new Option<string>("--out") { Description = "Where to write the JSON report", DefaultValueFactory = _ => "bench-state-path.json" };
        var command = new Command("state-path", "Per world step through the batcher: state as host bytes each step (as before) against resident state, alternating blocks in one run")
        {
            models, worlds, rounds, blocks, packages, output,
        };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            string[] settings = [.. (parse.GetValue(packages) ?? []).SelectMany((folder, i) => new[] { $"--WorldCluster:Models:Packages:{i}", Path.GetFullPath(folder) })];
            await using var host = await InProcessHost.StartAsync(ct, settings);
            var catalog = host.Services.GetRequiredService<ModelCatalog>();
            var wanted = parse.GetValue(models) is { Length: > 0 } named ? named : [.. catalog.All.Select(m => m.Manifest.Name)];
            if (!console.Profile.Out.IsTerminal)
            {
                console.Profile.Width = Math.Max(console.Profile.Width, 400);
            }
            var machine = MachineInfo.Describe();
            console.MarkupLineInterpolated($"[bold]bench state-path[/] on {machine.Cpu}, {machine.Cores} cores, {machine.Dotnet}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the start");
            console.WriteLine("| model | worlds | state bytes | host path µs per world step (forward) | resident µs per world step (forward) | outside the model: host → resident µs | saved |");
            console.WriteLine("|---|---|---|---|---|---|---|");
            var points = new List<StatePathPoint>();
            foreach (var name in wanted)
            {
                if (!catalog.TryGet(name, out var model))
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"error: model '{name}' is not served (served: {string.Join(", ", catalog.All.Select(m => m.Manifest.Name))})");
                    return 2;
                }
                foreach (var count in parse.GetValue(worlds)!)
                {
                    var p = await StatePathBenchmark.MeasureAsync(model, count, parse.GetValue(rounds), parse.GetValue(blocks), ct);
                    points.Add(p);
                    var saved = p.HostPathMicroseconds <= 0 ? "-" : ((1 - (p.ResidentPathMicroseconds / p.HostPathMicroseconds)) * 100).ToString("F0", CultureInfo.InvariantCulture) + " %";
                    console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {p.Model} | {p.Worlds} | {p.StateBytes} | {p.HostMicroseconds:F1} ({p.HostForwardMicroseconds:F1}) | {p.ResidentMicroseconds:F1} ({p.ResidentForwardMicroseconds:F1}) | {p.HostPathMicroseconds:F1} → {p.ResidentPathMicroseconds:F1} | {saved} |"));
                }
            }
            console.MarkupLineInterpolated($"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end");
            var path = Path.GetFullPath(parse.GetValue(output)!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new { machine, points }, ReportJson), ct);
            console.MarkupLineInterpolated($"wrote {path}");
            return 0;
        });
        return command;
    }
}
