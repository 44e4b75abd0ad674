using System.CommandLine;
using Spectre.Console;

namespace WorldCluster.Benchmarks.Tests;

/// <summary>Runs the worldcluster-bench command in this process and captures what it prints.</summary>
internal static class BenchRun
{
    public static async Task<(int Exit, string Output, string Error)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        var exit = await WorldClusterBench.CreateRootCommand(console).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
