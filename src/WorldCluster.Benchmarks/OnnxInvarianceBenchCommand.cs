using System.CommandLine;
using Spectre.Console;
using WorldCluster.Cli.Commands;
using WorldCluster.Models.Onnx;

namespace WorldCluster.Benchmarks;

/// <summary><c>worldcluster-bench onnx-invariance</c>: which batch sizes give an ONNX graph bit-identical per-sample outputs, per setting.</summary>
internal static class OnnxInvarianceBenchCommand
{
    /// <summary>The batch sizes measured unless <c>--sizes</c> names others.</summary>
    public static readonly int[] DefaultSizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 48, 64, 100, 128, 256];

    /// <summary>Builds the verb.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var graph = new Argument<string>("graph") { Description = "An .onnx file whose inputs all have a batch dimension first (e.g. a package's step.onnx)" };
        var sizes = new Option<int[]>("--sizes") { Description = "Batch sizes to compare", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => DefaultSizes };
        var threads = new Option<int[]>("--threads") { Description = "IntraOpThreads values to try", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [1, 2] };
        var levels = new Option<string[]>("--optimization") { Description = "GraphOptimization levels to try", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => ["all", "none"] };
        var command = new Command("onnx-invariance", "Places one sample first and last in batches of each size and groups the sizes whose outputs for it are bit-identical")
        {
            graph, sizes, threads, levels,
        };
        CliOptions.SetAction(command, (parse, ct) =>
        {
            var path = Path.GetFullPath(parse.GetValue(graph)!);
            if (!File.Exists(path))
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: graph '{path}' does not exist");
                return Task.FromResult(2);
            }
            var wanted = parse.GetValue(sizes)!;
            if (wanted.Length == 0 || wanted.Any(s => s < 1))
            {
                parse.InvocationConfiguration.Error.WriteLine("error: --sizes must be batch sizes of 1 or more");
                return Task.FromResult(2);
            }
            if (!console.Profile.Out.IsTerminal)
            {
                console.Profile.Width = Math.Max(console.Profile.Width, 400);
            }
            console.MarkupLineInterpolated($"[bold]onnx-invariance[/] {path} on {MachineInfo.Describe().Cpu}");
            console.WriteLine("| IntraOpThreads | GraphOptimization | classes | batch sizes per class (B@last: the sample last) |");
            console.WriteLine("|---|---|---|---|");
            foreach (var level in parse.GetValue(levels)!)
            {
                foreach (var count in parse.GetValue(threads)!)
                {
                    ct.ThrowIfCancellationRequested();
                    var classes = OnnxBatchInvariance.Measure(path, new OnnxRuntimeSettings { IntraOpThreads = count, GraphOptimization = level }, wanted);
                    console.WriteLine($"| {count} | {level} | {classes.Count} | {string.Join(" ", classes.Select(c => "{" + string.Join(", ", c) + "}"))} |");
                }
            }
            return Task.FromResult(0);
        });
        return command;
    }
}
