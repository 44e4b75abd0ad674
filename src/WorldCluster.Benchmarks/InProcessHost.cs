using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using WorldCluster.Silo.Hosting;

namespace WorldCluster.Benchmarks;

/// <summary>A whole WorldCluster (silo, gateway, file store) in this process, on free loopback ports and a temp data folder.</summary>
internal sealed class InProcessHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _data;
    private readonly bool _ownsData;

    private InProcessHost(WebApplication app, string data, bool ownsData, Uri url, string adminToken)
    {
        _app = app;
        _data = data;
        _ownsData = ownsData;
        Url = url;
        AdminToken = adminToken;
    }

    /// <summary>The host's HTTP address.</summary>
    public Uri Url { get; }

    /// <summary>The admin token the host wrote to its data folder at start.</summary>
    public string AdminToken { get; }

    /// <summary>The host's services (its grain factory, model catalog and batchers).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The host's data folder.</summary>
    public string Data => _data;

    /// <summary>Builds and starts a host with a fresh temp data folder (deleted on dispose) and extra configuration arguments.</summary>
    public static Task<InProcessHost> StartAsync(CancellationToken cancellationToken, params string[] settings) =>
        StartAsync(null, settings, cancellationToken);

    /// <summary>Builds and starts a host on <paramref name="data"/> (kept on dispose), or on a fresh temp folder when null.</summary>
    public static async Task<InProcessHost> StartAsync(string? data, IReadOnlyList<string> settings, CancellationToken cancellationToken)
    {
        var ownsData = data is null;
        data ??= Directory.CreateTempSubdirectory("worldcluster-bench-").FullName;
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var app = WorldClusterApp.Build(
        [
            "--urls", url.ToString().TrimEnd('/'),
            "--data", data,
            "--WorldCluster:SiloPort", FreePort().ToString(CultureInfo.InvariantCulture),
            "--WorldCluster:GatewayPort", FreePort().ToString(CultureInfo.InvariantCulture),
            "--Logging:LogLevel:Default", "Warning",
            // Sessions a benchmark closes leave frames in flight to their observers; Orleans logs each one it drops.
            "--Logging:LogLevel:Orleans.Runtime.HostedClient", "Critical",
            .. settings,
        ]);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            if (ownsData)
            {
                Directory.Delete(data, recursive: true);
            }
            throw;
        }
        var token = (await File.ReadAllTextAsync(Path.Combine(data, "admin.token"), cancellationToken)).Trim();
        return new InProcessHost(app, data, ownsData, url, token);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsData)
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
