using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using WorldCluster.Cli.Commands;
using WorldCluster.Models.Learned.Training;
using WorldCluster.Models.Learned;
using WorldCluster.Models.Torch;

namespace WorldCluster.Cli.Training;

/// <summary><c>train</c>: trains the learned world model from scratch on reference-world rollouts and writes its weights.</summary>
internal static class TrainCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var defaults = new TrainingOptions();
        var output = new Option<string>("--out") { Description = "Where to write the weights (a TorchSharp module file)", DefaultValueFactory = _ => "learned-world.bin" };
        var seed = new Option<long>("--seed") { Description = "Seeds rollouts, initial weights and sample order: equal seeds give equal weights", DefaultValueFactory = _ => defaults.Seed };
        var samples = CliOptions.AtLeast(1, new Option<int>("--samples") { Description = "Dynamics samples collected from reference rollouts", DefaultValueFactory = _ => defaults.Samples });
        var steps = CliOptions.AtLeast(0, new Option<int>("--steps") { Description = "Optimizer steps for the dynamics network", DefaultValueFactory = _ => defaults.DynamicsSteps });
        var codecSteps = CliOptions.AtLeast(0, new Option<int>("--codec-steps") { Description = "Optimizer steps for the frame encoder and decoder", DefaultValueFactory = _ => defaults.CodecSteps });
        var updaterSteps = CliOptions.AtLeast(0, new Option<int>("--updater-steps") { Description = "Optimizer steps for the memory updater", DefaultValueFactory = _ => defaults.UpdaterSteps });
        var batch = CliOptions.AtLeast(1, new Option<int>("--batch") { Description = "Samples per optimizer step", DefaultValueFactory = _ => defaults.BatchSize });
        var threads = CliOptions.AtLeast(1, new Option<int>("--threads") { Description = "CPU threads for libtorch", DefaultValueFactory = _ => Environment.ProcessorCount });
        var command = new Command("train", "Trains the learned world model from scratch on the CPU (about 15 minutes on 2 cores with the defaults)")
        {
            output, seed, samples, steps, codecSteps, updaterSteps, batch, threads,
        };
        CliOptions.SetAction(command, (parse, ct) =>
        {
            var options = new TrainingOptions(parse.GetValue(seed), parse.GetValue(samples), parse.GetValue(steps),
                parse.GetValue(codecSteps), parse.GetValue(updaterSteps), parse.GetValue(batch));
            TorchRuntime.Configure(parse.GetValue(threads));
            var path = Path.GetFullPath(parse.GetValue(output)!);
            console.MarkupLineInterpolated($"[bold]train[/] learned-world: seed {options.Seed}, {options.Samples:N0} samples, {options.DynamicsSteps:N0} dynamics steps, batch {options.BatchSize}");
            var clock = Stopwatch.StartNew();
            LearnedWorldNetwork? network = null;
            if (console.Profile.Capabilities.Interactive)
            {
                console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .Start(progress =>
                    {
                        var tasks = new Dictionary<string, ProgressTask>
                        {
                            ["collect"] = progress.AddTask("collect rollouts", maxValue: options.Samples),
                            ["codec"] = progress.AddTask("codec", maxValue: Math.Max(1, options.CodecSteps)),
                            ["updater"] = progress.AddTask("memory updater", maxValue: Math.Max(1, options.UpdaterSteps)),
                            ["dynamics"] = progress.AddTask("dynamics", maxValue: Math.Max(1, options.DynamicsSteps)),
                        };
                        network = LearnedWorldTrainer.Train(options, new SynchronousProgress<TrainingProgress>(p =>
                        {
                            var task = tasks[p.Phase];
                            task.Value = p.Step;
                            task.Description = p.Phase == "collect" ? "collect rollouts" : $"{p.Phase} loss {p.Loss:F4}";
                        }), ct);
                        foreach (var task in tasks.Values)
                        {
                            task.Value = task.MaxValue;
                        }
                    });
            }
            else
            {
                // Logs (CI, redirected output) get a line per tenth of each phase instead of a redrawn bar.
                var printed = new Dictionary<string, int>();
                var started = new Dictionary<string, TimeSpan>();
                network = LearnedWorldTrainer.Train(options, new SynchronousProgress<TrainingProgress>(p =>
                {
                    var tenth = p.Steps == 0 ? 10 : (int)(10L * p.Step / p.Steps);
                    var since = started.TryAdd(p.Phase, clock.Elapsed) ? TimeSpan.Zero : clock.Elapsed - started[p.Phase];
                    if (printed.TryGetValue(p.Phase, out var last) && last >= tenth)
                    {
                        return;
                    }
                    printed[p.Phase] = tenth;
                    var eta = p.Step == 0 ? TimeSpan.Zero : since / p.Step * (p.Steps - p.Step);
                    var loss = p.Phase == "collect" ? "" : $" loss {p.Loss:F4}";
                    console.WriteLine($"{clock.Elapsed:mm\\:ss} {p.Phase} {p.Step}/{p.Steps}{loss}, phase eta {eta:mm\\:ss}");
                }), ct);
            }
            using (network)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                network!.save(path);
                console.MarkupLineInterpolated($"wrote {path} ({new FileInfo(path).Length / 1024.0:F0} KiB, {network.ParameterCount:N0} parameters) in {clock.Elapsed:mm\\:ss}");
                if (PackageChecksum.Update(path) is { } manifest)
                {
                    console.MarkupLineInterpolated($"updated the weights checksum in {manifest}");
                }
            }
            return Task.FromResult(0);
        });
        return command;
    }
}
