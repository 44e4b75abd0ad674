using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using WorldCluster.Cli.Commands;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Numerics;
using WorldCluster.Models.Packages;
using WorldCluster.Models.Reference;
using WorldCluster.Models.Torch;

namespace WorldCluster.Cli.Training;

/// <summary><c>check-invariance</c>: measures a model package's batch-invariance classes on this machine and proposes <c>batchBuckets</c>.</summary>
internal static class CheckInvarianceCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var package = new Argument<string>("package") { Description = "A package version folder (the one holding model.json), or 'reference-world' for the built-in model" };
        var sizes = new Option<string>("--sizes")
        {
            Description = "Comma-separated batch sizes to check",
            DefaultValueFactory = _ => string.Join(',', BatchInvarianceCheck.DefaultSizes),
        };
        var steps = CliOptions.AtLeast(1, new Option<int>("--steps") { Description = "Ticks per batch run", DefaultValueFactory = _ => 4 });
        var threads = CliOptions.AtLeast(0, new Option<int>("--threads")
        {
            Description = "libtorch threads, as the silo's WorldCluster:TorchThreads (0: one per core, the silo's default); classes can differ by thread count",
            DefaultValueFactory = _ => 0,
        });
        var command = new Command("check-invariance",
            "Measures which batch sizes give a model bit-identical results for the same world (its numeric classes on this CPU) and proposes batchBuckets")
        {
            package, sizes, steps, threads,
        };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (ParseSizes(parse.GetValue(sizes)!) is not { } list)
            {
                await error.WriteLineAsync("error: --sizes must be distinct whole numbers from 1 to 1024, separated by commas (e.g. 1,2,4,8,16)");
                return 2;
            }
            var threadCount = parse.GetValue(threads) is > 0 and var t ? t : Environment.ProcessorCount;
            TorchRuntime.Configure(threadCount);
            IWorldModel model;
            try
            {
                model = Open(parse.GetValue(package)!);
            }
            catch (ModelPackageException e)
            {
                await error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
            using (model)
            {
                console.MarkupLineInterpolated($"[bold]check-invariance[/] {model.Manifest.Id}: {list.Count} batch sizes, {parse.GetValue(steps)} ticks each, {threadCount} libtorch thread(s)");
                var report = await Task.Run(() => BatchInvarianceCheck.Run(model, list, parse.GetValue(steps),
                    new Lines(line => console.MarkupLineInterpolated($"[grey]{line}[/]"))), ct);
                console.WriteLine(Markdown(report, model.Manifest));
            }
            return 0;
        });
        return command;
    }

    /// <summary>The report as a table, the classes and the proposal, as docs/model-packages.md shows it.</summary>
    public static string Markdown(BatchInvarianceReport report, ModelManifest declared)
    {
        var lines = new List<string> { "| batch | class | same at every position | ms per step | ms per world step |", "|---|---|---|---|---|" };
        foreach (var run in report.Runs)
        {
            var index = report.Classes.Select((c, i) => (c, i)).First(x => x.c.Contains(run.Size)).i;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {run.Size} | {(char)('A' + Math.Min(index, 25))} | {(run.SameAtEveryPosition ? "yes" : "no")} | {run.StepTime.TotalMilliseconds:F2} | {run.StepTime.TotalMilliseconds / run.Size:F3} |"));
        }
        lines.Add("");
        lines.Add("classes: " + string.Join("; ", report.Classes.Select((c, i) => $"{(char)('A' + Math.Min(i, 25))} = {{{string.Join(", ", c)}}}")));
        var buckets = "[" + string.Join(", ", report.ProposedBuckets) + "]";
        if (!report.Invariant)
        {
            lines.Add("proposal: none — no batch size gives the same result at every position in the batch; declare \"batchInvariant\": false");
        }
        else if (report.ProposedBuckets.Count == 0)
        {
            lines.Add("proposal: \"batchInvariant\": true, \"batchBuckets\": [] — every size checked agrees");
        }
        else
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"proposal: \"batchInvariant\": true, \"batchBuckets\": {buckets} — a lone world then steps at batch {report.ProposedBuckets[0]}, {report.LoneWorldCost:F1}× the time of batch 1"));
        }
        lines.Add($"declared: \"batchInvariant\": {(declared.BatchInvariant ? "true" : "false")}, \"batchBuckets\": [{string.Join(", ", declared.BatchBuckets)}]");
        return string.Join(Environment.NewLine, lines);
    }

    private static List<int>? ParseSizes(string text)
    {
        var sizes = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size is < 1 or > 1024 || sizes.Contains(size))
            {
                return null;
            }
            sizes.Add(size);
        }
        return sizes.Count == 0 ? null : sizes;
    }

    private static IWorldModel Open(string package)
    {
        if (package == ReferenceWorld.ReferenceManifest.Name || package == ReferenceWorld.ReferenceManifest.Id)
        {
            return new ReferenceWorld();
        }
        var folder = Path.GetFullPath(package);
        return ModelPackageLoader.Load(ModelPackageReader.Read(folder), ModelArchitectureRegistry.Create());
    }

    // Reports on the caller's thread, in order: Progress<T> posts to the thread pool, so lines came out of order and a
    // late one could write after the command returned (and its console was gone; it crashed a test host).
    private sealed class Lines(Action<string> write) : IProgress<string>
    {
        public void Report(string value) => write(value);
    }
}
