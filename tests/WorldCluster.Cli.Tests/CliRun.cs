namespace WorldCluster.Cli.Tests;

/// <summary>Runs the worldcluster command in this process and captures what it prints.</summary>
internal static class CliRun
{
    public static Task<(int Exit, string Output, string Error)> InvokeAsync(params string[] args) =>
        CommandRun.InvokeAsync(WorldClusterCli.CreateRootCommand, args);
}
