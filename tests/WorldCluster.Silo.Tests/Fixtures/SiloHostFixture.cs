using Microsoft.AspNetCore.Builder;
using WorldCluster.Silo.Hosting;

namespace WorldCluster.Silo.Tests.Fixtures;

/// <summary>The real WorldCluster host (Kestrel, Orleans silo, file store) on free loopback ports and a temp data folder.</summary>
public sealed class SiloHostFixture : IAsyncLifetime
{
    private readonly Func<string, IEnumerable<string>> _prepare;
    private readonly int _httpPort = FreePort.Next();
    private readonly int _siloPort = FreePort.Next();
    private readonly int _gatewayPort = FreePort.Next();
    private WebApplication? _app;

    /// <summary>A host with the default settings (what xunit's class and collection fixtures create).</summary>
    public SiloHostFixture()
        : this("silo", _ => [])
    {
    }

    // xunit builds fixtures through their only public constructor; hosts with settings of their own come from With.
    private SiloHostFixture(string name, Func<string, IEnumerable<string>> prepare)
    {
        _prepare = prepare;
        DataRoot = Directory.CreateTempSubdirectory($"worldcluster-{name}-").FullName;
    }

    /// <summary>A host with extra command-line arguments, for a test class to start and dispose of itself.</summary>
    /// <param name="name">What the test calls the host: part of its data folder's name.</param>
    /// <param name="arguments">Host arguments after the fixture's own (a setting named in both takes these).</param>
    public static SiloHostFixture With(string name, params IEnumerable<string> arguments) => new(name, _ => arguments);

    /// <summary>A host whose data folder is prepared before it starts, for a test class to start and dispose of itself.</summary>
    /// <param name="name">What the test calls the host: part of its data folder's name.</param>
    /// <param name="prepare">Given the data folder before the host starts: puts files there, returns extra host arguments.</param>
    public static SiloHostFixture With(string name, Func<string, IEnumerable<string>> prepare) => new(name, prepare);

    /// <summary>The running host's services (e.g. its <c>WorldFeeds</c>).</summary>
    public IServiceProvider Services => _app!.Services;

    /// <summary>The data folder.</summary>
    public string DataRoot { get; }

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
        await StartHostAsync();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_httpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
    }

    /// <summary>
    /// Stops the host gracefully (as SIGTERM does), runs <paramref name="whileDown"/>, and starts it again on the same
    /// ports and data folder; the same signing key keeps every token valid. <see cref="AdminToken"/> is the new one.
    /// </summary>
    public async Task RestartAsync(Func<Task>? whileDown = null)
    {
        await _app!.StopAsync();
        await _app.DisposeAsync();
        _app = null;
        if (whileDown is not null)
        {
            await whileDown();
        }
        await StartHostAsync();
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
    }

    private async Task StartHostAsync()
    {
        _app = WorldClusterApp.Build(
        [
            "--urls", $"http://127.0.0.1:{_httpPort}",
            "--data", DataRoot,
            "--WorldCluster:SiloPort", _siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--WorldCluster:GatewayPort", _gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--Logging:LogLevel:Default", "Warning",
            // Test classes create hundreds of worlds with one admin token; the quota has a test of its own.
            "--WorldCluster:RateLimit:CreatePermitLimit", "1000000",
            .. _prepare(DataRoot),
        ]);
        await _app.StartAsync();
        AdminToken = (await File.ReadAllTextAsync(Path.Combine(DataRoot, "admin.token"))).Trim();
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
