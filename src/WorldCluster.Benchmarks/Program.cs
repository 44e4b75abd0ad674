using Spectre.Console;
using WorldCluster.Benchmarks;

return await WorldClusterBench.CreateRootCommand(AnsiConsole.Console).Parse(args).InvokeAsync();
