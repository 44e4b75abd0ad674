using System.CommandLine;
using Spectre.Console;

namespace WorldCluster.Cli.Tests;

/// <summary>Runs a command line (the worldcluster or worldcluster-bench root) in this process and captures what it prints.</summary>
internal static class CommandRun
{
    public static async Task<(int Exit, string Output, string Error)> InvokeAsync(Func<IAnsiConsole, RootCommand> root, string[] args)
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
        var exit = await root(console).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }
}
