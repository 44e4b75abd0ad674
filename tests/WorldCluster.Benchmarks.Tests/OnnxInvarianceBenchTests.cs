namespace WorldCluster.Benchmarks.Tests;

public sealed class OnnxInvarianceBenchTests
{
    // tests/fixtures/models/bouncing-balls-onnx/1.0.0/step.onnx and tests/fixtures/onnx-graphs/batch-mean.onnx, copied here by the project.
    private static string Graph(string name) => Path.Combine(AppContext.BaseDirectory, "onnx", name);

    [Fact]
    public async Task The_onnx_fixture_s_step_graph_is_one_class_at_every_size_and_setting_tried()
    {
        var graph = Graph("step.onnx");

        var (exit, output, error) = await BenchRun.InvokeAsync("onnx-invariance", graph, "--sizes", "1", "2", "5", "--threads", "1", "2");

        Assert.True(exit == 0, $"exit {exit}: {error}\n{output}");
        foreach (var setting in new[] { "| 1 | all |", "| 2 | all |", "| 1 | none |", "| 2 | none |" })
        {
            Assert.Contains($"{setting} 1 | {{1, 2, 2@last, 5, 5@last}} |", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_graph_whose_rows_depend_on_the_batch_splits_into_a_class_per_batch()
    {
        // y = x + mean over the batch: the sample's output changes with every batch it is in.
        var graph = Graph("batch-mean.onnx");

        var (exit, output, error) = await BenchRun.InvokeAsync("onnx-invariance", graph, "--sizes", "1", "3", "--threads", "1", "--optimization", "all");

        Assert.True(exit == 0, $"exit {exit}: {error}\n{output}");
        Assert.Contains("| 1 | all | 3 |", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_graph_is_named_and_nothing_is_measured()
    {
        var (exit, output, error) = await BenchRun.InvokeAsync("onnx-invariance", "/nonexistent/step.onnx");

        Assert.Equal(2, exit);
        Assert.Contains("graph '/nonexistent/step.onnx' does not exist", error, StringComparison.Ordinal);
        Assert.DoesNotContain("| 1 | all |", output, StringComparison.Ordinal);
    }
}
