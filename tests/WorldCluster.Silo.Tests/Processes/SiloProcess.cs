using System.Diagnostics;
using System.Globalization;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Processes;

/// <summary>The real WorldCluster host as a separate OS process, so tests can kill it like a crash would.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringWriterBuffer _output = new();

    private SiloProcess(Process process, Uri http)
    {
        _process = process;
        Http = new HttpClient { BaseAddress = http, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The Orleans silo port (part of the silo's address, e.g. <c>S127.0.0.1:PORT:…</c>).</summary>
    public int SiloPort { get; private init; }

    /// <summary>The admin token the process wrote to <c>&lt;data&gt;/admin.token</c>.</summary>
    public string AdminToken { get; private set; } = "";

    /// <summary>A client of the process's HTTP API, carrying the admin token.</summary>
    public HttpClient Http { get; }

    /// <summary>What the process printed so far (for failure messages).</summary>
    public string Output => _output.ToString();

    /// <summary>Starts the host with extra command-line arguments and waits until it is ready.</summary>
    public static async Task<SiloProcess> StartAsync(string dataRoot, IEnumerable<string> extraArgs, TimeSpan deadline)
    {
        var port = FreePort.Next();
        var siloPort = FreePort.Next();
        var dll = Path.Combine(RepoRoot(), "artifacts", "bin", "WorldCluster.Silo", Configuration(), "WorldCluster.Silo.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"build the silo first: {dll} is missing");
        }
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataRoot,
        };
        foreach (var arg in new[]
        {
            dll, "--urls", $"http://127.0.0.1:{port}", "--data", dataRoot,
            "--WorldCluster:SiloPort", siloPort.ToString(CultureInfo.InvariantCulture),
            "--WorldCluster:GatewayPort", FreePort.Next().ToString(CultureInfo.InvariantCulture),
        }.Concat(extraArgs))
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var silo = new SiloProcess(process, new Uri($"http://127.0.0.1:{port}")) { SiloPort = siloPort };
        process.OutputDataReceived += (_, e) => silo._output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo._output.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await silo.WaitReadyAsync(deadline);
        // The host writes its admin token before it listens, so it is there once the host is ready.
        silo.AdminToken = (await File.ReadAllTextAsync(Path.Combine(dataRoot, "admin.token"))).Trim();
        silo.Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", silo.AdminToken);
        return silo;
    }

    /// <summary>Kills the process with SIGKILL (no shutdown code runs) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM (a graceful stop) and waits for the process to exit.</summary>
    public async Task TerminateAsync(TimeSpan deadline)
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        await _process.WaitForExitAsync().WaitAsync(deadline);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private async Task WaitReadyAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                using var ready = await Http.GetAsync("/health/ready", timeout.Token);
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"the silo was not ready within {deadline}:\n{Output}");
            }
            // Poll readiness at a short, bounded interval: the process gives no other signal.
            await Task.Delay(100, timeout.Token);
        }
    }

    private static string Configuration() =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}release{Path.DirectorySeparatorChar}", StringComparison.OrdinalIgnoreCase) ? "release" : "debug";

    private static string RepoRoot()
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

    private sealed class StringWriterBuffer
    {
        private readonly System.Text.StringBuilder _text = new();

        public void Append(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (_text)
            {
                _text.AppendLine(line);
            }
        }

        public override string ToString()
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }
}
