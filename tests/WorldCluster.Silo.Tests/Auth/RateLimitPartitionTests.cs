using System.Net;
using System.Net.Http.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Auth;

/// <summary>
/// Issue 22, item 4: the API's budget is per principal, requests without a valid token share a smaller one per client
/// address, forwarded headers count only from configured proxies, and Retry-After says when the window ends.
/// </summary>
public sealed class RateLimitPartitionTests
{
    private const int Anonymous = 5;

    // A day's window, aligned to UTC midnight: no window ends during a test (RateWindows.AwayFromMidnightAsync sees to that).
    private static readonly string[] Limits =
    [
        "--WorldCluster:RateLimit:PermitLimit", "50",
        "--WorldCluster:RateLimit:AnonymousPermitLimit", $"{Anonymous}",
        "--WorldCluster:RateLimit:Window", "1.00:00:00",
    ];

    [Fact]
    public async Task A_stranger_s_flood_behind_a_trusted_proxy_never_locks_out_the_admin_or_another_client()
    {
        await using var host = await Start("proxied", [.. Limits, "--WorldCluster:Proxy:KnownProxies:0", "127.0.0.1"]);
        using var stranger = host.ClientWith(null);
        await RateWindows.AwayFromMidnightAsync();

        var before = DateTimeOffset.UtcNow;
        var flood = new List<HttpResponseMessage>();
        for (var i = 0; i < Anonymous + 3; i++)
        {
            flood.Add(await Get(stranger, "/api/models", "203.0.113.7"));
        }
        var after = DateTimeOffset.UtcNow;
        using var admin = await Get(host.Http, "/api/models", "203.0.113.7");
        using var neighbour = await Get(stranger, "/api/models", "198.51.100.9");

        Assert.All(flood.Take(Anonymous), r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.All(flood.Skip(Anonymous), r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        // Another client address behind the same proxy has a budget of its own.
        Assert.Equal(HttpStatusCode.Unauthorized, neighbour.StatusCode);
        // Retry-After is the rest of the window (to UTC midnight), not the window's whole length.
        var retry = flood[^1].Headers.RetryAfter?.Delta ?? throw new InvalidOperationException("a 429 without Retry-After");
        var midnight = after.UtcDateTime.Date.AddDays(1);
        Assert.InRange(retry.TotalSeconds, Math.Floor((midnight - after).TotalSeconds), Math.Ceiling((midnight - before).TotalSeconds) + 1);
        flood.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Forwarded_headers_from_an_unconfigured_proxy_do_not_make_new_budgets()
    {
        await using var host = await Start("unproxied", Limits);
        using var stranger = host.ClientWith(null);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Anonymous + 2; i++)
        {
            // A new forged address every time: ignored, so every request counts against the real one.
            using var response = await Get(stranger, "/api/models", $"203.0.113.{i + 1}");
            statuses.Add(response.StatusCode);
        }
        using var admin = await Get(host.Http, "/api/models", null);

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Equal(Anonymous, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task World_creation_has_a_quota_per_principal()
    {
        await using var host = await Start("quota", [.. Limits, "--WorldCluster:RateLimit:CreatePermitLimit", "2", "--WorldCluster:RateLimit:CreateWindow", "1.00:00:00"]);
        await RateWindows.AwayFromMidnightAsync();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 3; i++)
        {
            var created = await host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", players = 1 });
            statuses.Add(created.StatusCode);
            refused = created;
        }
        using var listed = await host.Http.GetAsync("/api/worlds");
        using var page = await listed.Content.ReadAsStreamAsync();
        var worlds = (await System.Text.Json.JsonDocument.ParseAsync(page)).RootElement.GetProperty("worlds").GetArrayLength();

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
        Assert.NotNull(refused!.Headers.RetryAfter?.Delta);
        // The refused create changed nothing; the admin's other requests go on.
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(2, worlds);
        refused.Dispose();
    }

    private static async Task<HttpResponseMessage> Get(HttpClient http, string path, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        return await http.SendAsync(request);
    }

    private static async Task<Host> Start(string name, string[] arguments)
    {
        var host = SiloHostFixture.With(name, arguments);
        await host.InitializeAsync();
        return new Host(host);
    }

    private sealed class Host(SiloHostFixture fixture) : IAsyncDisposable
    {
        public HttpClient Http => fixture.Http;

        public HttpClient ClientWith(string? token) => fixture.ClientWith(token);

        public async ValueTask DisposeAsync() => await fixture.DisposeAsync();
    }
}
