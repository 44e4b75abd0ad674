using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Api;

/// <summary>
/// <c>POST /api/worlds/{id}/migrate</c> on a single-silo host: admins only, a clear 404, 400 and — there being no other
/// silo — 409, and the world unchanged by every refusal. The move itself is tested on an in-process cluster in
/// <c>WorldCluster.Runtime.Tests/Worlds/WorldMigrationTests</c>.
/// </summary>
public sealed class MigrationApiTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    [Fact]
    public async Task Only_an_admin_may_migrate_a_world()
    {
        var world = await CreateWorld();
        using var invite = await host.Http.PostAsJsonAsync($"/api/worlds/{world}/invites", new { role = "player" });
        invite.EnsureSuccessStatusCode();
        var token = (await invite.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

        using var anonymous = host.ClientWith(null);
        using var invited = host.ClientWith(token);
        using var byNobody = await anonymous.PostAsync($"/api/worlds/{world}/migrate", null);
        using var byInvite = await invited.PostAsync($"/api/worlds/{world}/migrate", null);

        Assert.Equal(HttpStatusCode.Unauthorized, byNobody.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byInvite.StatusCode);
    }

    [Fact]
    public async Task Unknown_worlds_bad_ids_and_bad_bodies_are_refused()
    {
        var world = await CreateWorld();

        using var unknown = await host.Http.PostAsync("/api/worlds/no-such-world/migrate", null);
        using var badId = await host.Http.PostAsync("/api/worlds/NOT_AN_ID/migrate", null);
        using var notJson = await host.Http.PostAsync($"/api/worlds/{world}/migrate", new StringContent("{silo", Encoding.UTF8, "application/json"));
        using var wrongType = await host.Http.PostAsync($"/api/worlds/{world}/migrate", new StringContent("""{"silo": 7}""", Encoding.UTF8, "application/json"));
        using var blank = await host.Http.PostAsJsonAsync($"/api/worlds/{world}/migrate", new { silo = " " });
        using var noSuchSilo = await host.Http.PostAsJsonAsync($"/api/worlds/{world}/migrate", new { silo = "S10.9.8.7:11111:1" });

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("does not exist", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noSuchSilo.StatusCode);
        Assert.Contains("not an active silo", await noSuchSilo.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_single_silo_host_answers_that_there_is_no_other_silo_and_the_world_stays()
    {
        var world = await CreateWorld();
        using var step = await host.Http.PostAsJsonAsync($"/api/worlds/{world}/step", new { actions = new[] { 1, 2 } });
        step.EnsureSuccessStatusCode();
        var before = await host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{world}");
        var here = before.GetProperty("silo").GetString();

        using var anywhere = await host.Http.PostAsync($"/api/worlds/{world}/migrate", null);
        using var toItself = await host.Http.PostAsJsonAsync($"/api/worlds/{world}/migrate", new { silo = here });
        var after = await host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{world}");

        Assert.Equal(HttpStatusCode.Conflict, anywhere.StatusCode);
        Assert.Contains("no other silo to migrate to", await anywhere.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, toItself.StatusCode);
        Assert.Contains("already runs on", await toItself.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(here, after.GetProperty("silo").GetString());
        Assert.Equal(before.GetProperty("tick").GetInt64(), after.GetProperty("tick").GetInt64());
        Assert.Equal(before.GetProperty("stateDigest").GetString(), after.GetProperty("stateDigest").GetString());
    }

    private async Task<string> CreateWorld()
    {
        using var created = await host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 3, players = 2 });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
