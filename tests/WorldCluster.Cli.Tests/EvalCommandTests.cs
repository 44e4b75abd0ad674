namespace WorldCluster.Cli.Tests;

public sealed class EvalCommandTests
{
    [Fact]
    public async Task Eval_with_no_weights_named_measures_the_packaged_learned_world_and_writes_its_report()
    {
        var report = Path.Combine(Path.GetTempPath(), $"eval-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, output, error) = await CliRun.InvokeAsync("eval", "--rollouts", "2", "--revisits", "2", "--multi-player", "2", "--out", report);

            Assert.True(exit == 0, error);
            // The console wraps long lines; the path it names is the 1.1.0 package copied beside the command.
            Assert.Contains(Path.Combine("models", "learned-world", "1.1.0", "learned-world.bin"), output.Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Contains("| open loop, 32 steps | 2 |", output, StringComparison.Ordinal);
            Assert.Contains("| 2 | 32 | 2 |", output, StringComparison.Ordinal);
            Assert.Contains("\"multiPlayer\"", await File.ReadAllTextAsync(report), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(report);
        }
    }
}
