using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace WorldCluster.Runtime.Tests.Fixtures;

/// <summary>The Azurite services a fixture starts.</summary>
[Flags]
public enum AzuriteServices
{
    /// <summary>Blob storage (<c>azurite-blob</c>).</summary>
    Blob = 1,

    /// <summary>Table storage (<c>azurite-table</c>).</summary>
    Table = 2,
}

/// <summary>
/// Azurite, the Azure Storage emulator, as real processes on 127.0.0.1 for tests: installed by build/install-deps.sh into
/// build/azurite, started on free ports with in-memory data (or, persistent, in a temporary folder), killed (with its
/// process tree) on dispose.
/// </summary>
/// <remarks>
/// A machine without Azurite fails every test that uses the fixture, with a message that says how to install it; it never
/// skips them. <see cref="StopAsync"/> and <see cref="StartAsync"/> stop and restart the same services on the same ports,
/// for fault tests; with in-memory data a restarted Azurite starts empty (containers included), a persistent one comes back
/// with everything it had acknowledged.
/// </remarks>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>The emulator's well-known account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known account key (public, documented by Microsoft; it protects nothing).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const string Host = "127.0.0.1";
    private const int PortAttempts = 3;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(50);

    private readonly List<Service> _services = [];
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("worldcluster-azurite-").FullName;
    private readonly bool _persistent;

    /// <summary>A fixture for Azurite's blob service (what xunit's class and collection fixtures create).</summary>
    public AzuriteFixture()
        : this(AzuriteServices.Blob)
    {
    }

    // xunit builds fixtures through their only public constructor; other mixes of services come from For.
    private AzuriteFixture(AzuriteServices services, bool persistent = false)
    {
        _persistent = persistent;
        if (services.HasFlag(AzuriteServices.Blob))
        {
            _services.Add(new Service("azurite-blob", "Azurite-Blob/", "--blobHost", "--blobPort"));
        }
        if (services.HasFlag(AzuriteServices.Table))
        {
            _services.Add(new Service("azurite-table", "Azurite-Table/", "--tableHost", "--tablePort"));
        }
        if (_services.Count == 0)
        {
            throw new ArgumentException("Name at least one Azurite service.", nameof(services));
        }
    }

    /// <summary>A fixture for the given services (each in its own process on its own port), to start and dispose by hand.</summary>
    /// <param name="services">The services to run.</param>
    /// <param name="persistent">Keep data on disk (Azurite's <c>--location</c>), so it survives <see cref="StopAsync"/> and <see cref="StartAsync"/>.</param>
    public static AzuriteFixture For(AzuriteServices services, bool persistent = false) => new(services, persistent);

    /// <summary>The blob service's port; 0 until started, or when the fixture has no blob service.</summary>
    public int BlobPort => Find("azurite-blob")?.Port ?? 0;

    /// <summary>The table service's port; 0 until started, or when the fixture has no table service.</summary>
    public int TablePort => Find("azurite-table")?.Port ?? 0;

    /// <summary>The blob endpoint, <c>http://127.0.0.1:&lt;port&gt;/devstoreaccount1</c>.</summary>
    public Uri BlobEndpoint => new($"http://{Host}:{BlobPort}/{AccountName}");

    /// <summary>The table endpoint, <c>http://127.0.0.1:&lt;port&gt;/devstoreaccount1</c>.</summary>
    public Uri TableEndpoint => new($"http://{Host}:{TablePort}/{AccountName}");

    /// <summary>A connection string with the endpoints of the services started.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};"
        + (BlobPort != 0 ? $"BlobEndpoint={BlobEndpoint};" : "")
        + (TablePort != 0 ? $"TableEndpoint={TableEndpoint};" : "");

    /// <summary>What the running services call themselves, e.g. <c>Azurite-Blob/3.37.0</c>.</summary>
    public IReadOnlyList<string> ServerVersions => [.. _services.Select(s => s.ServerHeader ?? "")];

    /// <summary>Whether the services are running.</summary>
    public bool IsRunning => _services.All(s => s.Process is { HasExited: false });

    /// <summary>The repository root: the nearest folder above the test binaries that holds WorldCluster.sln.</summary>
    public static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "WorldCluster.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"No WorldCluster.sln above {AppContext.BaseDirectory}: run the tests from a checkout of the repository.");
    }

    /// <inheritdoc/>
    public Task InitializeAsync() => StartAsync();

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_workingDirectory, recursive: true);
    }

    /// <summary>Starts the services (free ports the first time, the same ports after <see cref="StopAsync"/>) and waits until each answers.</summary>
    /// <exception cref="InvalidOperationException">Azurite is not installed, or did not start in time.</exception>
    public async Task StartAsync()
    {
        var bin = Path.Combine(FindRepositoryRoot(), "build", "azurite", "node_modules", ".bin");
        foreach (var service in _services.Where(s => s.Process is not { HasExited: false }))
        {
            var executable = Path.Combine(bin, service.Command);
            if (!File.Exists(executable))
            {
                throw new InvalidOperationException($"Azurite is not installed ({executable} is missing): run build/install-deps.sh.");
            }
            var restart = service.Port != 0;
            for (var attempt = 1; ; attempt++)
            {
                if (!restart)
                {
                    service.Port = FreePort();
                }
                try
                {
                    await StartServiceAsync(service, executable);
                    break;
                }
                catch (InvalidOperationException) when (!restart && attempt < PortAttempts)
                {
                    // Another process took the free port between the probe and Azurite's bind: try another one.
                }
            }
        }
    }

    /// <summary>Stops the services: in-memory ones are killed with their process trees (their data is gone); persistent ones get SIGTERM first, so they save what they acknowledged.</summary>
    public async Task StopAsync()
    {
        foreach (var service in _services)
        {
            if (_persistent)
            {
                await TerminateServiceAsync(service);
            }
            await StopServiceAsync(service);
        }
    }

    // Azurite saves its metadata database on SIGTERM; a kill could lose the last seconds of what it acknowledged.
    private static async Task TerminateServiceAsync(Service service)
    {
        if (service.Process is not { HasExited: false } process)
        {
            return;
        }
        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Still running: the kill that follows ends it.
        }
    }

    private Service? Find(string command) => _services.Find(s => s.Command == command);

    private async Task StartServiceAsync(Service service, string executable)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = _workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            service.HostFlag, Host, service.PortFlag, service.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. Persistence(service), "--skipApiVersionCheck", "--disableTelemetry", "--silent"])
        {
            start.ArgumentList.Add(argument);
        }
        var output = new BoundedLog();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        service.Process = process;

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                service.Process = null;
                process.Dispose();
                throw new InvalidOperationException(
                    $"{service.Command} exited with code {process.ExitCode} before answering on port {service.Port}:{Environment.NewLine}{output}");
            }
            var server = await ProbeAsync(http, service.Port);
            if (server is not null)
            {
                if (!server.StartsWith(service.ServerPrefix, StringComparison.Ordinal))
                {
                    await StopServiceAsync(service);
                    throw new InvalidOperationException($"Port {service.Port} is answered by '{server}', not by {service.Command}.");
                }
                service.ServerHeader = server;
                return;
            }
            if (deadline.Elapsed > StartTimeout)
            {
                await StopServiceAsync(service);
                throw new InvalidOperationException(
                    $"{service.Command} did not answer on port {service.Port} within {StartTimeout.TotalSeconds} s:{Environment.NewLine}{output}");
            }
            await Task.Delay(ProbeInterval);
        }
    }

    // In memory, or a folder per service that outlives restarts (Azurite cannot combine the two).
    private string[] Persistence(Service service) =>
        _persistent ? ["--location", Directory.CreateDirectory(Path.Combine(_workingDirectory, service.Command)).FullName] : ["--inMemoryPersistence"];

    // The Server header of whatever answers HTTP on the port; null while nothing does.
    private static async Task<string?> ProbeAsync(HttpClient http, int port)
    {
        try
        {
            using var response = await http.GetAsync(new Uri($"http://{Host}:{port}/"));
            return response.Headers.Server.ToString();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task StopServiceAsync(Service service)
    {
        var process = service.Process;
        if (process is null)
        {
            return;
        }
        service.Process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            using var timeout = new CancellationTokenSource(StopTimeout);
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            process.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Service(string command, string serverPrefix, string hostFlag, string portFlag)
    {
        public string Command { get; } = command;

        public string ServerPrefix { get; } = serverPrefix;

        public string HostFlag { get; } = hostFlag;

        public string PortFlag { get; } = portFlag;

        public int Port { get; set; }

        public Process? Process { get; set; }

        public string? ServerHeader { get; set; }
    }

    // The last lines a service printed, for the message when it fails to start.
    private sealed class BoundedLog
    {
        private const int MaxLines = 40;
        private readonly Queue<string> _lines = new();

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (_lines)
            {
                _lines.Enqueue(line);
                if (_lines.Count > MaxLines)
                {
                    _lines.Dequeue();
                }
            }
        }

        public override string ToString()
        {
            lock (_lines)
            {
                return string.Join(Environment.NewLine, _lines);
            }
        }
    }
}
