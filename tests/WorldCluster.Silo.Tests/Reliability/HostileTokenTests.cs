using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Reliability;

/// <summary>
/// Hostile bearer tokens on every kind of API request. Today the gateway takes no tokens: they must be ignored harmlessly
/// (no 5xx, nothing changes). When the gateway requires tokens, set <see cref="GatewayRequiresTokens"/> to true: then every
/// one of them must be refused with a 401 problem, on HTTP and on the session upgrade alike.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class HostileTokenTests(SiloHostFixture silo) : IClassFixture<SiloHostFixture>
{
    /// <summary>Flip to true when the gateway requires <c>Authorization: Bearer</c> (the auth work): the test then demands 401s.</summary>
    private const bool GatewayRequiresTokens = true;

    [Fact]
    public async Task Hostile_tokens_are_refused_or_ignored_and_change_no_world()
    {
        var created = await silo.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 5, players = 1 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var before = await silo.Http.GetStringAsync($"/api/worlds/{id}");

        // A client of its own: the fixture's client carries the admin token by default, which would stand in for a missing one.
        using var bare = new HttpClient { BaseAddress = silo.Http.BaseAddress };
        var failures = new List<string>();
        foreach (var (name, authorization) in HostileTokens.Cases(otherWorld: "w-someoneelse"))
        {
            foreach (var request in new[]
            {
                new HostileRequest(name, HttpMethod.Get, $"/api/worlds/{id}", Authorization: authorization),
                new HostileRequest(name, HttpMethod.Get, "/api/worlds", Authorization: authorization),
                new HostileRequest(name, HttpMethod.Get, $"/api/worlds/{id}/frame", Authorization: authorization),
                // Refused either way: without tokens for the wrong action count, with tokens for the token.
                HostileRequest.Json(name, HttpMethod.Post, $"/api/worlds/{id}/step", """{"actions": [1, 2, 3]}""") with { Authorization = authorization },
                HostileRequest.Json(name, HttpMethod.Post, "/api/worlds", """{"model": "reference-world", "players": 0}""") with { Authorization = authorization },
            })
            {
                using var message = request.ToMessage(silo.Http.BaseAddress!);
                using var response = await bare.SendAsync(message);
                var status = (int)response.StatusCode;
                var expected = GatewayRequiresTokens ? status == 401 : status < 500;
                if (!expected)
                {
                    failures.Add($"{request} with {(authorization is null ? "no token" : authorization.Length > 40 ? authorization[..40] + "…" : authorization)} → {status}");
                }
                else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{request} → {status} without a problem body");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await silo.Http.GetStringAsync($"/api/worlds/{id}"));
    }
}
