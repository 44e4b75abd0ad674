using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Auth;

/// <summary>Joining and leaving over HTTP, and a session that takes a joined participant over.</summary>
public sealed class JoinAndLeaveTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    [Fact]
    public async Task A_join_takes_a_slot_and_a_leave_frees_it()
    {
        var world = await CreateWorld(players: 1);

        using var first = await host.Http.PostAsJsonAsync($"/api/worlds/{world}/participants", new { role = "player", name = "ada" });
        var joined = await first.Content.ReadFromJsonAsync<JsonElement>();
        using var full = await host.Http.PostAsJsonAsync($"/api/worlds/{world}/participants", new { role = "player" });
        var listed = await host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{world}/participants");
        using var self = host.ClientWith(joined.GetProperty("token").GetString());
        using var left = await self.DeleteAsync($"/api/worlds/{world}/participants/{joined.GetProperty("participantId").GetGuid()}");
        using var again = await host.Http.PostAsJsonAsync($"/api/worlds/{world}/participants", new { role = "player" });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(0, joined.GetProperty("slot").GetInt32());
        Assert.Equal("player", joined.GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.Conflict, full.StatusCode);
        Assert.Equal("ada", Assert.Single(listed.GetProperty("participants").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NoContent, left.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task A_session_with_a_join_token_is_that_participant()
    {
        var world = await CreateWorld(players: 2);
        using var joined = await host.Http.PostAsJsonAsync($"/api/worlds/{world}/participants", new { role = "player", slot = 1 });
        var token = (await joined.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        using var player = host.ClientWith(token);

        var (session, refused) = await SessionClient.ConnectAsync(player, world, "");
        Assert.Null(refused);
        await using (session)
        {
            await session!.WaitUntil(c => c.Texts.Any(t => t.GetProperty("type").GetString() == "welcome"), TimeSpan.FromSeconds(30));
            var welcome = session.Texts.First(t => t.GetProperty("type").GetString() == "welcome");
            Assert.Equal(("player", 1), (welcome.GetProperty("role").GetString(), welcome.GetProperty("slot").GetInt32()));
            // Still one participant: the socket took the joined one over rather than joining again.
            var during = await host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{world}/participants");
            Assert.Single(during.GetProperty("participants").EnumerateArray());
        }

        // Closing the socket ended the participant; its token opens no session any more (nor anything else).
        await WaitUntilEmpty(world);
        var (late, lateRefused) = await SessionClient.ConnectAsync(player, world, "");
        Assert.Null(late);
        Assert.Equal(HttpStatusCode.Unauthorized, lateRefused);
    }

    [Theory]
    [InlineData("{\"role\":\"king\"}", 400)]
    [InlineData("{}", 400)]
    [InlineData("{\"role\":\"player\",\"slot\":9}", 400)]
    [InlineData("{\"role\":\"player\",\"extra\":1}", 400)]
    public async Task A_bad_join_is_a_400_and_changes_nothing(string body, int status)
    {
        var world = await CreateWorld(players: 1);

        using var response = await host.Http.PostAsync($"/api/worlds/{world}/participants", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var listed = await host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{world}/participants");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Empty(listed.GetProperty("participants").EnumerateArray());
    }

    [Fact]
    public async Task A_leave_needs_a_participant_id_and_a_join_on_a_missing_world_is_404()
    {
        var world = await CreateWorld(players: 1);

        using var malformed = await host.Http.DeleteAsync($"/api/worlds/{world}/participants/not-a-guid");
        using var missing = await host.Http.PostAsJsonAsync("/api/worlds/w-does-not-exist/participants", new { role = "spectator" });

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task WaitUntilEmpty(string world)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{world}/participants", deadline.Token))
            .GetProperty("participants").GetArrayLength() > 0)
        {
            // The server leaves after the close handshake, which the client does not wait for; poll briefly.
            await Task.Delay(50, deadline.Token);
        }
    }

    private async Task<string> CreateWorld(int players)
    {
        using var created = await host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 6, players });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
