using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Auth;

/// <summary>
/// Access that ends when it should (issue 22, items 1 and 2): a participant that leaves or is removed takes its join token
/// with it, a ban keeps the participant's invite out (also after a restart), and a join token lives no longer than its invite.
/// </summary>
public sealed class RevocationTests : IAsyncLifetime
{
    private readonly SiloHostFixture _host = SiloHostFixture.With("revocation");

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task A_removed_participant_s_token_no_longer_steps_or_joins()
    {
        var world = await CreateWorld();
        var invite = await Invite(world, lifetimeSeconds: 3600);
        var (participant, token, _) = await Join(_host.ClientWith(invite), world);
        using var player = _host.ClientWith(token);
        using var before = await Step(player, world);

        using var removed = await _host.Http.DeleteAsync($"/api/worlds/{world}/participants/{participant}");
        using var step = await Step(player, world);
        using var join = await player.PostAsJsonAsync($"/api/worlds/{world}/participants", new { role = "player" });
        using var read = await player.GetAsync($"/api/worlds/{world}");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, step.StatusCode);
        Assert.Contains("no longer in world", await step.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, join.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        Assert.Equal(1, (await Info(world)).GetProperty("tick").GetInt64());
    }

    [Fact]
    public async Task A_participant_that_leaves_ends_its_own_token()
    {
        var world = await CreateWorld();
        var (participant, token, _) = await Join(_host.ClientWith(await Invite(world, 3600)), world);
        using var player = _host.ClientWith(token);

        using var left = await player.DeleteAsync($"/api/worlds/{world}/participants/{participant}");
        using var step = await Step(player, world);

        Assert.Equal(HttpStatusCode.NoContent, left.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, step.StatusCode);
    }

    [Fact]
    public async Task A_ban_keeps_the_participant_s_invite_out_across_a_restart()
    {
        var world = await CreateWorld();
        var invite = await Invite(world, 3600);
        using var invited = _host.ClientWith(invite);
        var (participant, token, _) = await Join(invited, world);
        var other = await Invite(world, 3600);

        using var byPlayer = await _host.ClientWith(token).DeleteAsync($"/api/worlds/{world}/participants/{participant}?ban=true");
        using var badBan = await _host.Http.DeleteAsync($"/api/worlds/{world}/participants/{participant}?ban=maybe");
        using var banned = await _host.Http.DeleteAsync($"/api/worlds/{world}/participants/{participant}?ban=true");
        using var rejoin = await invited.PostAsJsonAsync($"/api/worlds/{world}/participants", new { role = "player" });
        await _host.RestartAsync();
        using var afterRestart = await _host.ClientWith(invite).PostAsJsonAsync($"/api/worlds/{world}/participants", new { role = "spectator" });
        using var stepAfterRestart = await Step(_host.ClientWith(invite), world);
        // As a spectator: the restarted world holds its player slots for returning players (SlotGrace) for a while.
        using var otherInvite = await _host.ClientWith(other).PostAsJsonAsync($"/api/worlds/{world}/participants", new { role = "spectator" });

        Assert.Equal(HttpStatusCode.Forbidden, byPlayer.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badBan.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, banned.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, rejoin.StatusCode);
        Assert.Contains("banned", await rejoin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRestart.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stepAfterRestart.StatusCode);
        // Another invite of the same world still works: the ban is on one invite, not on the world.
        Assert.Equal(HttpStatusCode.Created, otherInvite.StatusCode);
    }

    [Fact]
    public async Task A_join_token_ends_with_its_invite_and_mints_no_other()
    {
        var world = await CreateWorld();
        using var invited = await _host.Http.PostAsJsonAsync($"/api/worlds/{world}/invites", new { role = "player", lifetimeSeconds = 5 });
        var invite = await invited.Content.ReadFromJsonAsync<JsonElement>();
        var inviteEnds = invite.GetProperty("expiresAt").GetDateTimeOffset();
        var (_, token, expiresAt) = await Join(_host.ClientWith(invite.GetProperty("token").GetString()), world);

        using var chained = await _host.ClientWith(token).PostAsJsonAsync($"/api/worlds/{world}/participants", new { role = "spectator" });

        Assert.True(expiresAt <= inviteEnds, $"the join token lives until {expiresAt:O}, past its invite's {inviteEnds:O}");
        Assert.Equal(HttpStatusCode.Forbidden, chained.StatusCode);
        var participants = await _host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{world}/participants");
        Assert.Equal(1, participants.GetProperty("participants").GetArrayLength());
    }

    [Fact]
    public async Task One_invite_makes_a_bounded_number_of_joins()
    {
        var world = await CreateWorld();
        using var invited = _host.ClientWith(await Invite(world, 3600));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            using var joined = await invited.PostAsJsonAsync($"/api/worlds/{world}/participants", new { role = "spectator" });
            statuses.Add(joined.StatusCode);
        }

        Assert.Equal(32, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.All(statuses.Skip(32), s => Assert.Equal(HttpStatusCode.Forbidden, s));
    }

    private static Task<HttpResponseMessage> Step(HttpClient http, string world) =>
        http.PostAsJsonAsync($"/api/worlds/{world}/step", new { actions = new[] { 1, 0 } });

    private async Task<JsonElement> Info(string world) => await _host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{world}");

    private async Task<string> CreateWorld()
    {
        using var created = await _host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 3, players = 2 });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<string> Invite(string world, int lifetimeSeconds)
    {
        using var invited = await _host.Http.PostAsJsonAsync($"/api/worlds/{world}/invites", new { role = "player", lifetimeSeconds });
        invited.EnsureSuccessStatusCode();
        return (await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private static async Task<(Guid Participant, string Token, DateTimeOffset ExpiresAt)> Join(HttpClient http, string world)
    {
        using var joined = await http.PostAsJsonAsync($"/api/worlds/{world}/participants", new { role = "player" });
        Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
        var json = await joined.Content.ReadFromJsonAsync<JsonElement>();
        return (json.GetProperty("participantId").GetGuid(), json.GetProperty("token").GetString()!, json.GetProperty("expiresAt").GetDateTimeOffset());
    }
}
