using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using WorldCluster.Silo.Hosting;

namespace WorldCluster.Cli.Bench;

/// <summary>A whole WorldCluster (silo, gateway, file store) in this process, on free loopback ports and a temp data folder.</summary>
internal sealed class InProcessHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _data;

    private InProcessHost(WebApplication app, string data, Uri url, string adminToken)
    {
        _app = app;
        _data = data;
        Url = url;
        AdminToken = adminToken;
    }

    /// <summary>The host's HTTP address.</summary>
    public Uri Url { get; }

    /// <summary>The admin token the host wrote to its data folder at start.</summary>
    public string AdminToken { get; }

    /// <summary>Builds and starts the host.</summary>
    public static async Task<InProcessHost> StartAsync(CancellationToken cancellationToken)
    {
        var data = Directory.CreateTempSubdirectory("worldcluster-bench-").FullName;
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var app = WorldClusterApp.Build(
        [
            "--urls", url.ToString().TrimEnd('/'),
            "--data", data,
            "--WorldCluster:SiloPort", FreePort().ToString(CultureInfo.InvariantCulture),
            "--WorldCluster:GatewayPort", FreePort().ToString(CultureInfo.InvariantCulture),
            "--Logging:LogLevel:Default", "Warning",
        ]);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            Directory.Delete(data, recursive: true);
            throw;
        }
        var token = (await File.ReadAllTextAsync(Path.Combine(data, "admin.token"), cancellationToken)).Trim();
        return new InProcessHost(app, data, url, token);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
