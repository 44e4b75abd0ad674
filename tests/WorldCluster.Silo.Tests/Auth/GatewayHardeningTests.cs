using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using WorldCluster.Silo.Auth;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Auth;

/// <summary>Issue 22, item 5: error messages, page headers, the session's Origin check and the not-yet-valid token's refusal.</summary>
public sealed class GatewayHardeningTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    [Theory]
    [InlineData("{\"role\":\"player\",\"extra\":1}")]
    [InlineData("{\"role\":5}")]
    [InlineData("{\"role\":\"player\",\"slot\":\"one\"}")]
    [InlineData("[1,2]")]
    public async Task Json_errors_name_no_dotnet_types(string body)
    {
        var world = await CreateWorld();

        using var response = await host.Http.PostAsync($"/api/worlds/{world}/participants", new StringContent(body, Encoding.UTF8, "application/json"));
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("invalid JSON", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("WorldCluster.", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(".NET", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_s_bad_message_error_names_no_dotnet_types()
    {
        var world = await CreateWorld();
        var (session, refused) = await SessionClient.ConnectAsync(host.Http, world, "role=player");
        Assert.Null(refused);
        await using (session)
        {
            await session!.SendTextAsync("{\"action\":\"left\"}");
            await session.WaitUntil(c => c.Texts.Any(t => t.GetProperty("type").GetString() == "error"), TimeSpan.FromSeconds(30));
            var error = session.Texts.First(t => t.GetProperty("type").GetString() == "error").GetRawText();

            Assert.DoesNotContain("WorldCluster.", error, StringComparison.Ordinal);
            Assert.DoesNotContain("System.", error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/app.js")]
    [InlineData("/api/models")]
    public async Task Responses_carry_the_page_s_security_headers(string path)
    {
        using var response = await host.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("frame-ancestors 'none'", string.Join(";", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task A_session_from_another_site_s_page_is_refused_and_the_gateway_s_own_page_is_not()
    {
        var world = await CreateWorld();

        var (foreign, foreignRefused) = await SessionClient.ConnectAsync(host.Http, world, "role=spectator", origin: "https://evil.example");
        var (own, ownRefused) = await SessionClient.ConnectAsync(host.Http, world, "role=spectator", origin: host.Http.BaseAddress!.GetLeftPart(UriPartial.Authority));
        await using (own)
        {
            Assert.Null(foreign);
            Assert.Equal(HttpStatusCode.Forbidden, foreignRefused);
            Assert.Null(ownRefused);
        }
        var participants = await host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{world}/participants");
        Assert.True(participants.GetProperty("participants").GetArrayLength() <= 1, "the refused session joined nobody");
    }

    [Fact]
    public async Task A_token_not_valid_yet_is_not_called_expired()
    {
        var key = SigningKeyFile.LoadOrCreate(Path.Combine(host.DataRoot, "auth", "signing.key"));
        var inAnHour = new FakeTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromHours(1));
        var early = new TokenIssuer(new SymmetricSecurityKey(key) { KeyId = "worldcluster" }, inAnHour).Admin(TimeSpan.FromHours(2));
        using var client = host.ClientWith(early.Token);

        using var response = await client.GetAsync("/api/models");
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("expired", detail, StringComparison.Ordinal);
        Assert.Contains("not valid yet", detail, StringComparison.Ordinal);
    }

    private async Task<string> CreateWorld()
    {
        using var created = await host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 8, players = 1, tickHz = 5 });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
