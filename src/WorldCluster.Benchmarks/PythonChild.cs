using System.Diagnostics;
using System.Text.Json;

namespace WorldCluster.Benchmarks;

/// <summary>Runs a script shipped beside the bench (<c>Python/</c>) with <c>/usr/bin/python3</c> and reads the one line of JSON it prints.</summary>
internal static class PythonChild
{
    /// <summary>Debian's interpreter: the one with python3-torch and numpy (a pyenv python first on PATH has neither).</summary>
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>The folder holding the scripts and the worldcluster client package, copied beside the bench's assembly.</summary>
    public static string ScriptFolder => Path.Combine(AppContext.BaseDirectory, "Python");

    /// <summary>Runs <paramref name="script"/> with <paramref name="arguments"/>; throws <see cref="InvalidOperationException"/> with the child's error when it fails.</summary>
    public static async Task<JsonElement> RunAsync(string script, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        if (!File.Exists(Interpreter))
        {
            throw new InvalidOperationException($"{Interpreter} is missing: install python3 and python3-torch (bash build/install-deps.sh)");
        }
        var path = Path.Combine(ScriptFolder, script);
        var start = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(path);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // The client package lies beside the script; nothing of the caller's Python setup should shadow it.
        start.Environment["PYTHONPATH"] = ScriptFolder;
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Interpreter}");
        var output = child.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = child.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await child.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw;
        }
        var stdout = await output;
        var stderr = await error;
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Interpreter} {script} {(arguments.Count > 0 ? arguments[0] : "")} exited {child.ExitCode}: {Tail(stderr)}");
        }
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var last = lines.Length > 0 ? lines[^1] : throw new InvalidOperationException($"{Interpreter} {script} printed nothing: {Tail(stderr)}");
        using var json = JsonDocument.Parse(last);
        return json.RootElement.Clone();
    }

    private static string Tail(string text) => text.Length <= 2000 ? text.Trim() : text[^2000..].Trim();
}
