using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using WorldCluster.Cli.Commands;
using WorldCluster.Models.Learned.Evaluation;
using WorldCluster.Models.Learned;
using WorldCluster.Models.Torch;

namespace WorldCluster.Cli.Training;

/// <summary><c>eval</c>: measures the learned world model against the reference world on held-out seeds.</summary>
internal static class EvalCommand
{
    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Builds the verb.</summary>
    public static Command Create(IAnsiConsole console)
    {
        var weights = new Option<string>("--weights")
        {
            Description = "The weights to evaluate",
            DefaultValueFactory = _ => Path.Combine(AppContext.BaseDirectory, "models", "learned-world", "1.1.0", "learned-world.bin"),
        };
        var seed = new Option<long>("--seed") { Description = "First held-out world seed (training uses seeds from seed × 1,000,003 of its own seed)", DefaultValueFactory = _ => 7_000_000 };
        var rollouts = new Option<int>("--rollouts") { Description = "Open-loop rollouts", DefaultValueFactory = _ => 200 };
        var revisits = new Option<int>("--revisits") { Description = "Revisit rollouts (each leaves a room for at least 100 ticks and comes back)", DefaultValueFactory = _ => 100 };
        var together = new Option<int>("--multi-player") { Description = "Rollouts per player count (2 and 4) with all players in slot 0's room", DefaultValueFactory = _ => 100 };
        var output = new Option<string>("--out") { Description = "Where to write the JSON report", DefaultValueFactory = _ => "eval.json" };
        CliOptions.AtLeast(2, rollouts);
        CliOptions.AtLeast(2, revisits);
        CliOptions.AtLeast(2, together);
        var command = new Command("eval", "Measures the learned world model against the reference world: PSNR and exact rollouts after 1, 8 and 32 steps, revisits with memory on and off, and 2 and 4 players in one room after 1, 16 and 32 steps")
        {
            weights, seed, rollouts, revisits, together, output,
        };
        CliOptions.SetAction(command, async (parse, ct) =>
        {
            var path = Path.GetFullPath(parse.GetValue(weights)!);
            if (!File.Exists(path))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: no weights at {path} (train some with `worldcluster train`)");
                return 1;
            }
            TorchRuntime.Configure(Environment.ProcessorCount);
            using var model = LearnedWorld.Load(path);
            console.MarkupLineInterpolated($"[bold]eval[/] {path}: {parse.GetValue(rollouts)} open-loop rollouts, {parse.GetValue(revisits)} revisits, seeds from {parse.GetValue(seed)}");
            var report = await Task.Run(() => FidelityEvaluator.Evaluate(model, parse.GetValue(seed), parse.GetValue(rollouts), parse.GetValue(revisits),
                new Progress<string>(line => console.MarkupLineInterpolated($"[grey]{line}[/]")), parse.GetValue(together)), ct);
            console.WriteLine(Markdown(report));
            var json = Path.GetFullPath(parse.GetValue(output)!);
            await File.WriteAllTextAsync(json, JsonSerializer.Serialize(report, ReportJson), ct);
            console.MarkupLineInterpolated($"wrote {json} in {report.Elapsed:mm\\:ss}");
            return 0;
        });
        return command;
    }

    /// <summary>The report as the markdown table docs/models.md shows.</summary>
    public static string Markdown(FidelityReport report)
    {
        var lines = new List<string>
        {
            "| measure | rollouts | PSNR (dB) | exactly right |",
            "|---|---|---|---|",
        };
        lines.AddRange(report.Horizons.Select(h => $"| open loop, {h.Steps} step{(h.Steps == 1 ? "" : "s")} | {h.Rollouts} | {Db(h.Psnr)} | {h.ExactShare:P1} |"));
        lines.AddRange(report.Revisits.Select(r =>
            $"| revisit after {r.MeanTicksAway:F0} ticks away (mean), memory {(r.Memory ? "on" : "off")} | {r.Rollouts} | {Db(r.Psnr)} | {r.ExactShare:P1} |"));
        lines.Add("");
        lines.AddRange(report.Revisits.Where(r => r.Memory).Select(r =>
            $"Wrong revisits with memory on, by where the model's view first departed from the reference: leaving {r.Wrong.Leaving}, " +
            $"away {r.Wrong.Away}, returning {r.Wrong.Returning}, only in the frame {r.Wrong.FrameOnly}."));
        if (report.MultiPlayer.Count > 0)
        {
            lines.Add("");
            lines.Add("| players in one room | steps | rollouts | PSNR (dB) | exactly right | some avatar wrong | some cell wrong |");
            lines.Add("|---|---|---|---|---|---|---|");
            lines.AddRange(report.MultiPlayer.Select(m =>
                $"| {m.Players} | {m.Steps} | {m.Rollouts} | {Db(m.Psnr)} | {m.ExactShare:P1} | {m.AvatarsWrong:P1} | {m.CellsWrong:P1} |"));
        }
        return string.Join(Environment.NewLine, lines);
    }

    private static string Db(double psnr) => double.IsPositiveInfinity(psnr) ? "∞ (no error)" : psnr.ToString("F1", CultureInfo.InvariantCulture);
}
