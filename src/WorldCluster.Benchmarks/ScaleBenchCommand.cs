using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using WorldCluster.Cli.Commands;

namespace WorldCluster.Benchmarks;

/// <summary><c>worldcluster-bench scale</c>: memory per active world and cold activation time, on one in-process silo.</summary>
internal static class ScaleBenchCommand
{
    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Builds the verb.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var model = new Option<string>("--model") { Description = "The worlds' model", DefaultValueFactory = _ => "reference-world" };
        var worlds = CliOptions.AtLeast(1, new Option<int>("--worlds") { Description = "Worlds to activate on the silo", DefaultValueFactory = _ => 20_000 });
        var sample = CliOptions.AtLeast(1, new Option<int>("--sample") { Description = "Stored worlds to activate one at a time after a restart", DefaultValueFactory = _ => 1000 });
        var output = new Option<string>("--out") { Description = "Where to write the JSON report", DefaultValueFactory = _ => "bench-scale.json" };
        var command = new Command("scale", "Activates N worlds on one in-process silo: memory per world against its state's bytes, and cold activation time from the store")
        {
            model, worlds, sample, output,
        };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            var machine = MachineInfo.Describe();
            if (!console.Profile.Out.IsTerminal)
            {
                console.Profile.Width = Math.Max(console.Profile.Width, 200);
            }
            console.MarkupLineInterpolated($"[bold]bench scale[/] on {machine.Cpu}, {machine.Cores} cores, {machine.MemoryGiB} GiB, {machine.Dotnet}, {machine.Os}");
            ScaleReport? report = null;
            string? error = null;
            var count = parse.GetValue(worlds);
            await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                    (report, error) = await new ScaleBenchmark(progress).RunAsync(parse.GetValue(model)!, count, Math.Min(count, parse.GetValue(sample)), machine, ct));
            if (report is null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {error}");
                return 2;
            }
            var table = new Table().Border(TableBorder.Markdown).AddColumns(
                "model", "worlds", "create (s)", "state bytes", "frame bytes", "managed bytes per world", "process bytes per world",
                "managed ÷ state", "process ÷ state", "cold activation p50 / p99 (ms)", "warm call p50 (ms)");
            table.AddRow(report.Model, Number(report.Worlds), Number(report.CreateSeconds, "F1"), Number(report.StateBytes), Number(report.FrameBytes),
                Number(report.ManagedBytesPerWorld, "F0"), Number(report.ProcessBytesPerWorld, "F0"), Number(report.ManagedPerStateBytes, "F2"),
                Number(report.ProcessPerStateBytes, "F2"), $"{Number(report.ColdActivationP50Ms, "F2")} / {Number(report.ColdActivationP99Ms, "F2")}",
                Number(report.WarmCallP50Ms, "F3"));
            console.Write(table);
            console.WriteLine();
            console.MarkupLineInterpolated(
                $"process memory with {report.Worlds} worlds: {Number(report.ProcessBytesAfter / (double)(1L << 30), "F2")} GiB (before: {Number(report.ProcessBytesBefore / (double)(1L << 30), "F2")} GiB)");
            var path = Path.GetFullPath(parse.GetValue(output)!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, ReportJson), ct);
            console.MarkupLineInterpolated($"wrote {path}");
            return 0;
        });
        return command;
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
