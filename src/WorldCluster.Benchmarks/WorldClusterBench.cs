using System.CommandLine;
using Spectre.Console;

namespace WorldCluster.Benchmarks;

/// <summary>The <c>worldcluster-bench</c> command line: load generators for a cluster, each reporting ratios measured in one run.</summary>
public static class WorldClusterBench
{
    /// <summary>Builds the root command; everything it shows goes to <paramref name="console"/>, errors to the invocation's error writer.</summary>
    public static RootCommand CreateRootCommand(IAnsiConsole console) =>
        new("worldcluster-bench: benchmarks a WorldCluster and reports ratios measured in one run.")
        {
            FanoutBenchCommand.Create(console),
            ModelsBenchCommand.Create(console),
            ScaleBenchCommand.Create(console),
            OnnxInvarianceBenchCommand.Create(console),
            StatePathBenchCommand.Create(console),
            AgentsBenchCommand.Create(console),
        };
}
