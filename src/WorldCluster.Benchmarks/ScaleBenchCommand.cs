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
        var budget = new Option<int>("--resident-budget")
        {
            Description = "Resident state budget in worlds; above 0 the worlds are stepped at random under it (spill churn) instead of measured idle",
        };
        budget.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--resident-budget must be 0 (idle worlds, no budget) or positive");
            }
        });
        var churn = new Option<double>("--churn-seconds") { Description = "With --resident-budget: how long clients step worlds at random", DefaultValueFactory = _ => 30 };
        churn.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() <= 0)
            {
                r.AddError("--churn-seconds must be above 0");
            }
        });
        var concurrency = CliOptions.AtLeast(1, new Option<int>("--concurrency") { Description = "With --resident-budget: clients stepping at once", DefaultValueFactory = _ => 16 });
        var packages = new Option<string[]>("--packages")
        {
            Description = "A model package folder for the in-process silo to serve (repeatable; replaces the default folders), e.g. tests/fixtures/models-large",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("scale",
            "Activates N worlds on one in-process silo: memory per world against its state's bytes, and cold activation time from the store; " +
            "with --resident-budget, steps them at random under that budget: steps/s, resume-from-spill latency, and every digest checked")
        {
            model, worlds, sample, output, budget, churn, concurrency, packages,
        };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            var machine = MachineInfo.Describe();
            if (!console.Profile.Out.IsTerminal)
            {
                console.Profile.Width = Math.Max(console.Profile.Width, 200);
            }
            console.MarkupLineInterpolated($"[bold]bench scale[/] on {machine.Cpu}, {machine.Cores} cores, {machine.MemoryGiB} GiB, {machine.Dotnet}, {machine.Os}");
            var count = parse.GetValue(worlds);
            if (parse.GetValue(budget) > 0)
            {
                var settings = new SpillChurnBenchmark.Settings(parse.GetValue(model)!, count, parse.GetValue(budget), parse.GetValue(churn),
                    parse.GetValue(concurrency), Math.Min(count, parse.GetValue(sample)), parse.GetValue(packages) ?? []);
                return await SpillChurnAsync(console, parse, settings, machine, parse.GetValue(output)!, ct);
            }
            if (parse.GetValue(packages) is { Length: > 0 })
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("error: --packages is for --resident-budget runs; the idle run measures the built-in models");
                return 2;
            }
            ScaleReport? report = null;
            string? error = null;
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

    // The spill churn: prints its table, writes the report, and fails when a digest differed, a world lost a tick or the budget was exceeded.
    private static async Task<int> SpillChurnAsync(IAnsiConsole console, ParseResult parse, SpillChurnBenchmark.Settings settings, MachineInfo machine,
        string output, CancellationToken ct)
    {
        SpillChurnReport? report = null;
        string? error = null;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress => (report, error) = await new SpillChurnBenchmark(progress).RunAsync(settings, machine, ct));
        if (report is null)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {error}");
            return 2;
        }
        // One row per figure: the spill churn reports more figures than a terminal is wide.
        var table = new Table().Border(TableBorder.Markdown).AddColumns("figure", "value");
        table.AddRow("model", report.Model);
        table.AddRow("worlds (twin pairs) / resident budget (worlds)", $"{report.Worlds} / {report.BudgetWorlds}");
        table.AddRow("state bytes per world", Number(report.StateBytes));
        table.AddRow("create (s) / creations refused and retried", $"{Number(report.CreateSeconds, "F1")} / {report.CreateRefusals}");
        table.AddRow($"churn: steps/s with {report.Concurrency} clients", Number(report.StepsPerSecond, "F1"));
        table.AddRow("churn: step p50 / p99 (ms)", $"{Number(report.StepP50Ms, "F2")} / {Number(report.StepP99Ms, "F2")}");
        var profile = report.Profile;
        table.AddRow("churn: model calls, worlds per call, batcher busy", $"{profile.Calls}, {Number(profile.MeanBatch, "F1")}, {Number(profile.BatcherBusy * 100, "F0")} %");
        table.AddRow("churn: per call ms (forward) / queued ms", $"{Number(profile.CallMs, "F2")} ({Number(profile.ForwardMs, "F2")}) / {Number(profile.QueueMs, "F2")}");
        table.AddRow("churn: journal appends (mean ms) / snapshots (mean ms)",
            $"{profile.JournalAppends} ({Number(profile.JournalMs, "F2")}) / {profile.Snapshots} ({Number(profile.SnapshotMs, "F2")})");
        table.AddRow("spills / resumes from host memory", $"{report.Spills} / {report.Resumes}");
        table.AddRow("resume from host memory, server mean (ms)", Number(report.ResumeMeanMs, "F2"));
        table.AddRow("least recently stepped world: first step p50 / p99 (ms)", $"{Number(report.ColdStepP50Ms, "F2")} / {Number(report.ColdStepP99Ms, "F2")}");
        table.AddRow("the same world's next step p50 (ms)", Number(report.WarmStepP50Ms, "F2"));
        table.AddRow("most resident bytes / budget bytes", $"{report.MaxUsedBytes} / {report.BudgetBytes}");
        table.AddRow("device bytes per resident world ÷ state bytes", Number(report.ResidentBytesPerState, "F3"));
        table.AddRow("most process memory (GiB)", Number(report.MaxProcessBytes / (double)(1L << 30), "F2"));
        table.AddRow("twin pairs with differing digests", $"{report.DigestMismatches} of {report.PairsChecked}");
        table.AddRow("worlds differing after a restart", $"{report.RestartMismatches} of {report.RestartChecked}");
        console.Write(table);
        console.WriteLine();
        var path = Path.GetFullPath(output);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, ReportJson), ct);
        console.MarkupLineInterpolated($"wrote {path}");
        var failures = new List<string>();
        if (report.DigestMismatches > 0)
        {
            failures.Add($"{report.DigestMismatches} twin pairs differ after spill and resume");
        }
        if (report.RestartMismatches > 0)
        {
            failures.Add($"{report.RestartMismatches} worlds read back after the restart differ from their last step");
        }
        if (report.MaxUsedBytes > report.BudgetBytes)
        {
            failures.Add($"resident state reached {report.MaxUsedBytes} bytes, over the budget of {report.BudgetBytes}");
        }
        if (failures.Count == 0)
        {
            return 0;
        }
        await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {string.Join("; ", failures)}");
        return 1;
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
