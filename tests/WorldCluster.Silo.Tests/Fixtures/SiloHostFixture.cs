using Microsoft.AspNetCore.Builder;
using WorldCluster.Silo.Hosting;

namespace WorldCluster.Silo.Tests.Fixtures;

/// <summary>The real WorldCluster host (Kestrel, Orleans silo, file store) on free loopback ports and a temp data folder.</summary>
public sealed class SiloHostFixture : IAsyncLifetime
{
    private WebApplication? _app;

    /// <summary>The data folder.</summary>
    public string DataRoot { get; } = Directory.CreateTempSubdirectory("worldcluster-silo-").FullName;

    /// <summary>An HTTP client pointed at the host, carrying the admin token.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The admin token the host wrote to <c>&lt;data&gt;/admin.token</c> at start.</summary>
    public string AdminToken { get; private set; } = "";

    /// <summary>An HTTP client pointed at the host with <paramref name="token"/> as its bearer token (none when null).</summary>
    public HttpClient ClientWith(string? token)
    {
        var client = new HttpClient { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var http = FreePort.Next();
        _app = WorldClusterApp.Build(
        [
            "--urls", $"http://127.0.0.1:{http}",
            "--data", DataRoot,
            "--WorldCluster:SiloPort", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--WorldCluster:GatewayPort", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--Logging:LogLevel:Default", "Warning",
        ]);
        await _app.StartAsync();
        AdminToken = (await File.ReadAllTextAsync(Path.Combine(DataRoot, "admin.token"))).Trim();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}"), Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        Directory.Delete(DataRoot, recursive: true);
    }
}
