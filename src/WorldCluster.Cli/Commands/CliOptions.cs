using System.CommandLine;
using WorldCluster.Client;

namespace WorldCluster.Cli.Commands;

/// <summary>Options and plumbing the verbs share: the server URL, JSON output, clients and error reporting.</summary>
internal static class CliOptions
{
    /// <summary>The address of a WorldCluster when none is given.</summary>
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>The <c>--url</c> option of the verbs that talk to a running cluster.</summary>
    public static Option<Uri> Url()
    {
        var option = new Option<Uri>("--url")
        {
            Description = "The WorldCluster's HTTP address",
            DefaultValueFactory = _ => new Uri(DefaultUrl),
            CustomParser = ParseUrl,
        };
        return option;
    }

    /// <summary>The environment variable the <c>--token</c> option defaults to.</summary>
    public const string TokenVariable = "WORLDCLUSTER_TOKEN";

    /// <summary>The <c>--token</c> option: the bearer token to send (default: <c>$WORLDCLUSTER_TOKEN</c>).</summary>
    public static Option<string?> Token() => new("--token")
    {
        Description = $"Bearer token (the admin token is in <data>/admin.token); default ${TokenVariable}",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(TokenVariable),
    };

    /// <summary>Adds a check that an integer option is at least <paramref name="minimum"/>; returns the option.</summary>
    public static Option<int> AtLeast(int minimum, Option<int> option)
    {
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < minimum)
            {
                r.AddError(minimum == 0 ? $"{option.Name} must not be negative" : $"{option.Name} must be at least {minimum}");
            }
        });
        return option;
    }

    /// <summary>The <c>--json</c> option: print the API's JSON instead of a table.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print the answer as JSON" };

    /// <summary>Parses and checks an absolute http(s) URL.</summary>
    public static Uri? ParseUrl(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : DefaultUrl;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }
        result.AddError($"'{text}' is not an http:// or https:// URL");
        return null;
    }

    /// <summary>An HTTP client for a cluster address.</summary>
    public static HttpClient CreateHttp(Uri url) => new() { BaseAddress = url, Timeout = TimeSpan.FromSeconds(100) };

    /// <summary>Sets a command's action, turning the server's refusals and unreachable servers into a message and exit code 1.</summary>
    public static void SetAction(Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            try
            {
                return await action(parse, cancellationToken);
            }
            catch (WorldClusterException e)
            {
                await error.WriteLineAsync($"error: {e.Status} {e.Problem.Title}: {e.Problem.Detail}");
                return 1;
            }
            catch (WorldSessionClosedException e)
            {
                await error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
            catch (HttpRequestException e)
            {
                await error.WriteLineAsync($"error: cannot reach the cluster: {e.Message}");
                return 1;
            }
            catch (IOException e)
            {
                // A download cut short (the server stopped a recording half way) or a file that could not be written.
                await error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync("cancelled");
                return 130;
            }
        });
}
