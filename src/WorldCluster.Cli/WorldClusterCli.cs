using System.CommandLine;
using Spectre.Console;
using WorldCluster.Cli.Commands;
using WorldCluster.Cli.Training;

namespace WorldCluster.Cli;

/// <summary>The <c>worldcluster</c> command line: world verbs, <c>watch</c>, <c>record</c>, <c>train</c> and <c>eval</c> (the benchmarks are <c>worldcluster-bench</c>).</summary>
public static class WorldClusterCli
{
    /// <summary>Builds the root command; everything it shows goes to <paramref name="console"/>, errors to the invocation's error writer.</summary>
    public static RootCommand CreateRootCommand(IAnsiConsole console)
    {
        var root = new RootCommand("worldcluster: create, step, fork and watch worlds on a WorldCluster, and train and evaluate the learned world.");
        foreach (var command in WorldCommands.Create(console))
        {
            root.Add(command);
        }
        root.Add(WatchCommand.Create(console));
        root.Add(RecordCommand.Create(console));
        root.Add(TrainCommand.Create(console));
        root.Add(EvalCommand.Create(console));
        root.Add(CheckInvarianceCommand.Create(console));
        return root;
    }
}
