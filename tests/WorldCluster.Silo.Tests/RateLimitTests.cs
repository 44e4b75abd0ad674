using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests;

/// <summary>A client over its request budget gets 429 problems with Retry-After; health and metrics stay reachable.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private const int Limit = 5;
    private readonly SiloHostFixture _host = SiloHostFixture.With("limits",
        "--WorldCluster:RateLimit:PermitLimit", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--WorldCluster:RateLimit:Window", "00:10:00");

    private HttpClient Http => _host.Http;

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Requests_past_the_budget_are_refused_with_a_problem_and_retry_after()
    {
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < Limit + 3; i++)
        {
            var response = await Http.GetAsync("/api/models");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, Limit), statuses.Take(Limit));
        Assert.All(statuses.Skip(Limit), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.Equal("application/problem+json", refused!.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        Assert.True(refused.Headers.RetryAfter is not null, "a 429 says when to retry");
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/health/live")).StatusCode);
    }
}
