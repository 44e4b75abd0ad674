using Spectre.Console;
using WorldCluster.Cli;

return await WorldClusterCli.CreateRootCommand(AnsiConsole.Console).Parse(args).InvokeAsync();
