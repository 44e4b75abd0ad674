using WorldCluster.Cli.Tests;

namespace WorldCluster.Benchmarks.Tests;

/// <summary>Runs the worldcluster-bench command in this process and captures what it prints.</summary>
internal static class BenchRun
{
    public static Task<(int Exit, string Output, string Error)> InvokeAsync(params string[] args) =>
        CommandRun.InvokeAsync(WorldClusterBench.CreateRootCommand, args);
}
