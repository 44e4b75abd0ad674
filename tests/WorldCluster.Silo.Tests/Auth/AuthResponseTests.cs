using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using WorldCluster.Silo.Auth;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Auth;

/// <summary>What refusals look like (RFC 7807 + WWW-Authenticate), what stays open, and where a token may travel.</summary>
public sealed class AuthResponseTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    [Fact]
    public async Task A_missing_token_is_a_401_problem_with_a_bearer_challenge()
    {
        using var anonymous = host.ClientWith(null);

        using var response = await anonymous.GetAsync("/api/models");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains("bearer token is required", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_is_a_401_that_says_so()
    {
        var key = SigningKeyFile.LoadOrCreate(Path.Combine(host.DataRoot, "auth", "signing.key"));
        var yesterday = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromDays(1));
        var expired = new TokenIssuer(new SymmetricSecurityKey(key), yesterday).Admin(TimeSpan.FromHours(1));
        using var client = host.ClientWith(expired.Token);

        using var response = await client.GetAsync("/api/models");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("expired", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_without_the_right_is_a_403_problem_that_names_what_is_missing()
    {
        var world = await CreateWorld();
        using var spectator = host.ClientWith(await Invite(world, "spectator"));

        using var response = await spectator.PostAsJsonAsync($"/api/worlds/{world}/step", new { actions = new[] { 0 } });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("player token", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{world}")).GetProperty("tick").GetInt64());
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/metrics")]
    [InlineData("/")]
    [InlineData("/app.js")]
    [InlineData("/openapi/v1.json")]
    public async Task Health_metrics_the_page_and_the_OpenAPI_document_need_no_token(string path)
    {
        using var anonymous = host.ClientWith(null);

        using var response = await anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_the_bearer_scheme()
    {
        var document = await host.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));
        Assert.True(document.GetProperty("security")[0].TryGetProperty("Bearer", out _));
    }

    [Fact]
    public async Task A_token_in_the_query_counts_only_for_a_session_upgrade()
    {
        var world = await CreateWorld();
        using var anonymous = host.ClientWith(null);
        var spectatorToken = await Invite(world, "spectator");

        using var api = await anonymous.GetAsync($"/api/models?access_token={host.AdminToken}");
        var (session, refused) = await SessionClient.ConnectAsync(anonymous, world, $"role=spectator&access_token={spectatorToken}");

        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Null(refused);
        await using (session)
        {
            await session!.WaitUntil(c => c.Frames.Count > 0, TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_admin_token_file_is_readable_by_its_owner_only()
    {
        var mode = File.GetUnixFileMode(Path.Combine(host.DataRoot, "admin.token"));
        var key = File.GetUnixFileMode(Path.Combine(host.DataRoot, "auth", "signing.key"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, key);
        using var client = host.ClientWith((await File.ReadAllTextAsync(Path.Combine(host.DataRoot, "admin.token"))).Trim());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/models")).StatusCode);
    }

    private async Task<string> CreateWorld()
    {
        using var created = await host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 4, players = 1 });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<string> Invite(string world, string role)
    {
        using var invited = await host.Http.PostAsJsonAsync($"/api/worlds/{world}/invites", new { role });
        invited.EnsureSuccessStatusCode();
        return (await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }
}
