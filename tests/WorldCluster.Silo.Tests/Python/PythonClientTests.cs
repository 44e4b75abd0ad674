using System.Diagnostics;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Python;

/// <summary>Runs the Python client's unittest suite (src/clients/python/tests) against a real in-process silo.</summary>
public sealed class PythonClientTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task The_python_client_suite_passes_against_a_real_silo()
    {
        var folder = Path.Combine(RepoRoot(), "src", "clients", "python");
        var python = FindPython();

        var (exitCode, output) = await Run(python, "-m unittest -v", folder, host.Http.BaseAddress!.ToString().TrimEnd('/'), host.AdminToken);

        Assert.True(exitCode == 0, $"python3 -m unittest exited with {exitCode}:\n{output}");
        // Python 3.11 exits 0 when discovery finds nothing: make sure the suite really ran.
        var ran = System.Text.RegularExpressions.Regex.Match(output, @"Ran (\d+) tests? in");
        Assert.True(ran.Success && int.Parse(ran.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, $"no Python tests ran:\n{output}");
    }

    // Debian's python3 has numpy once build/install-deps.sh ran; a python3 earlier on PATH (pyenv, a venv) may not.
    /// <summary>A python3 with numpy: WORLDCLUSTER_PYTHON, then python3, then /usr/bin/python3.</summary>
    internal static string FindPython()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("WORLDCLUSTER_PYTHON"), "python3", "/usr/bin/python3" };
        var tried = new List<string>();
        foreach (var candidate in candidates.OfType<string>().Where(c => c.Length > 0))
        {
            try
            {
                using var probe = Process.Start(new ProcessStartInfo(candidate, "-c \"import numpy\"")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                })!;
                var error = probe.StandardError.ReadToEndAsync();
                if (probe.WaitForExit(TimeSpan.FromSeconds(60)) && probe.ExitCode == 0)
                {
                    return candidate;
                }
                tried.Add($"{candidate}: {error.Result.Trim()}");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                tried.Add($"{candidate}: {e.Message}");
            }
        }
        Assert.Fail($"no python3 with numpy found (build/install-deps.sh installs python3-numpy; WORLDCLUSTER_PYTHON picks one):\n{string.Join(Environment.NewLine, tried)}");
        return "";
    }

    /// <summary>Runs python in <paramref name="folder"/> against the silo at <paramref name="url"/>, with any <paramref name="environment"/> added.</summary>
    internal static async Task<(int ExitCode, string Output)> Run(string python, string arguments, string folder, string url, string token,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(python, arguments)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["WORLDCLUSTER_URL"] = url;
        start.Environment["WORLDCLUSTER_TOKEN"] = token;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        // Keep the source tree clean of __pycache__ folders.
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"timed out after {Deadline}\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The folder holding WorldCluster.sln.</summary>
    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WorldCluster.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("WorldCluster.sln not found above the test folder");
    }
}
