using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using WorldCluster.Silo.Auth;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Auth;

/// <summary>
/// Every caller × every endpoint × own world (A) / other world (B) → the status docs/security.md promises. Each cell
/// gets two fresh worlds, so what one cell changes (a delete, a join) never decides another.
/// </summary>
public sealed class AuthMatrixTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    /// <summary>Who calls.</summary>
    public enum Caller
    {
        Admin,
        PlayerInvite,
        SpectatorInvite,
        PlayerJoin,
        SpectatorJoin,
        NoToken,
        ExpiredAdmin,
        ExpiredPlayer,
        Forged,
        Malformed,
    }

    /// <summary>What is called.</summary>
    public enum Op
    {
        ListModels,
        ListWorlds,
        CreateWorld,
        GetWorld,
        DeleteWorld,
        Step,
        Frame,
        Fork,
        Participants,
        JoinSpectator,
        JoinPlayer,
        LeaveOwn,
        LeaveOther,
        Invite,
        SessionSpectator,
        SessionPlayer,
        BatchStep,
        BatchObserve,
    }

    private static readonly Op[] Worldless = [Op.ListModels, Op.ListWorlds, Op.CreateWorld];

    public static TheoryData<Caller, Op, char, int> Cells()
    {
        var data = new TheoryData<Caller, Op, char, int>();
        foreach (var caller in Enum.GetValues<Caller>())
        {
            foreach (var op in Enum.GetValues<Op>())
            {
                foreach (var target in Worldless.Contains(op) ? ['A'] : new[] { 'A', 'B' })
                {
                    data.Add(caller, op, target, Expected(caller, op, target));
                }
            }
        }
        return data;
    }

    // The table of docs/security.md, as code.
    private static int Expected(Caller caller, Op op, char target)
    {
        if (caller is Caller.NoToken or Caller.ExpiredAdmin or Caller.ExpiredPlayer or Caller.Forged or Caller.Malformed)
        {
            return 401;
        }
        if (caller == Caller.Admin)
        {
            return op switch
            {
                Op.CreateWorld or Op.Fork or Op.JoinSpectator or Op.JoinPlayer or Op.Invite => 201,
                Op.DeleteWorld or Op.LeaveOwn or Op.LeaveOther => 204,
                Op.SessionSpectator or Op.SessionPlayer => 101,
                _ => 200,
            };
        }
        var player = caller is Caller.PlayerInvite or Caller.PlayerJoin;
        var joined = caller is Caller.PlayerJoin or Caller.SpectatorJoin;
        return op switch
        {
            Op.ListModels or Op.ListWorlds => 200,
            // Batch endpoints name many worlds, so no world-scoped token covers them.
            Op.CreateWorld or Op.DeleteWorld or Op.Fork or Op.Invite or Op.BatchStep or Op.BatchObserve => 403,
            _ when target == 'B' => 403,
            Op.GetWorld or Op.Frame or Op.Participants => 200,
            Op.Step => player ? 200 : 403,
            // A join token mints no further tokens: only an invite joins.
            Op.JoinSpectator => joined ? 403 : 201,
            Op.JoinPlayer => player && !joined ? 201 : 403,
            Op.LeaveOwn => joined ? 204 : 403,
            Op.LeaveOther => 403,
            // A join token's session is its participant: asking for the other role is refused.
            Op.SessionSpectator => caller == Caller.PlayerJoin ? 400 : 101,
            Op.SessionPlayer => player ? 101 : 403,
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Every_caller_gets_the_documented_status(Caller caller, Op op, char target, int expected)
    {
        var a = await CreateWorld();
        var b = await CreateWorld();
        var world = target == 'A' ? a : b;
        var bystander = await Join(host.Http, world, "spectator");
        var (token, own) = await TokenFor(caller, a);
        using var http = host.ClientWith(token);

        var (status, body) = await Call(http, op, world, own ?? bystander.ParticipantId, bystander.ParticipantId);

        Assert.True(expected == status, $"{caller} {op} on world {target}: expected {expected}, got {status}: {body}");
        if (status is 401 or 403 or 400)
        {
            Assert.Equal(status, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
        }
    }

    private static async Task<(int Status, string Body)> Call(HttpClient http, Op op, string world, Guid own, Guid other)
    {
        var w = $"/api/worlds/{world}";
        HttpResponseMessage response = op switch
        {
            Op.ListModels => await http.GetAsync("/api/models"),
            Op.ListWorlds => await http.GetAsync("/api/worlds"),
            Op.BatchStep => await http.PostAsJsonAsync("/api/steps", new { steps = new[] { new { world, actions = new[] { 0, 0 } } }, frames = "none" }),
            Op.BatchObserve => await http.PostAsJsonAsync("/api/observations", new { worlds = new[] { world }, frames = "none" }),
            Op.CreateWorld => await http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 1 }),
            Op.GetWorld => await http.GetAsync(w),
            Op.DeleteWorld => await http.DeleteAsync(w),
            Op.Step => await http.PostAsJsonAsync($"{w}/step", new { actions = new[] { 1, 2 } }),
            Op.Frame => await http.GetAsync($"{w}/frame"),
            Op.Fork => await http.PostAsync($"{w}/fork", null),
            Op.Participants => await http.GetAsync($"{w}/participants"),
            Op.JoinSpectator => await http.PostAsJsonAsync($"{w}/participants", new { role = "spectator", name = "cell" }),
            Op.JoinPlayer => await http.PostAsJsonAsync($"{w}/participants", new { role = "player", name = "cell" }),
            Op.LeaveOwn => await http.DeleteAsync($"{w}/participants/{own}"),
            Op.LeaveOther => await http.DeleteAsync($"{w}/participants/{other}"),
            Op.Invite => await http.PostAsJsonAsync($"{w}/invites", new { role = "spectator" }),
            Op.SessionSpectator => null!,
            Op.SessionPlayer => null!,
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        if (response is null)
        {
            var (client, refused) = await SessionClient.ConnectAsync(http, world, op == Op.SessionPlayer ? "role=player" : "role=spectator");
            if (client is null)
            {
                return ((int)refused!, await ProblemOf(http, world, op));
            }
            await using (client)
            {
                await client.WaitUntil(c => c.Texts.Any(t => t.GetProperty("type").GetString() == "welcome"), TimeSpan.FromSeconds(30));
                return (101, "");
            }
        }
        using (response)
        {
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    // ClientWebSocket drops a refusal's body: ask again over plain HTTP (the checks run before the upgrade) to read it.
    private static async Task<string> ProblemOf(HttpClient http, string world, Op op)
    {
        using var response = await http.GetAsync($"/api/worlds/{world}/session?role={(op == Op.SessionPlayer ? "player" : "spectator")}");
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<(string? Token, Guid? Own)> TokenFor(Caller caller, string a)
    {
        switch (caller)
        {
            case Caller.Admin:
                return (host.AdminToken, null);
            case Caller.PlayerInvite or Caller.SpectatorInvite:
                return (await Invite(a, caller == Caller.PlayerInvite ? "player" : "spectator"), null);
            case Caller.PlayerJoin or Caller.SpectatorJoin:
                var role = caller == Caller.PlayerJoin ? "player" : "spectator";
                using (var invited = host.ClientWith(await Invite(a, role)))
                {
                    var joined = await Join(invited, a, role);
                    return (joined.Token, joined.ParticipantId);
                }
            case Caller.NoToken:
                return (null, null);
            case Caller.ExpiredAdmin:
                return (PastIssuer().Admin(TimeSpan.FromHours(1)).Token, null);
            case Caller.ExpiredPlayer:
                return (PastIssuer().Invite(a, "player", TimeSpan.FromHours(1)).Token, null);
            case Caller.Forged:
                // A well-formed admin token, signed with a key that is not the cluster's.
                var other = new SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) { KeyId = "worldcluster" };
                return (new TokenIssuer(other, TimeProvider.System).Admin(TimeSpan.FromHours(1)).Token, null);
            case Caller.Malformed:
                return ("not-a-token", null);
            default:
                throw new ArgumentOutOfRangeException(nameof(caller));
        }
    }

    // Tokens signed with the cluster's own key on a clock two hours back: they expired an hour ago.
    private TokenIssuer PastIssuer()
    {
        var key = SigningKeyFile.LoadOrCreate(Path.Combine(host.DataRoot, "auth", "signing.key"));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(2));
        return new TokenIssuer(new SymmetricSecurityKey(key) { KeyId = "worldcluster" }, clock);
    }

    private async Task<string> CreateWorld()
    {
        using var created = await host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 3, players = 2 });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<string> Invite(string world, string role)
    {
        using var invited = await host.Http.PostAsJsonAsync($"/api/worlds/{world}/invites", new { role });
        invited.EnsureSuccessStatusCode();
        return (await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private static async Task<(Guid ParticipantId, string Token)> Join(HttpClient http, string world, string role)
    {
        using var joined = await http.PostAsJsonAsync($"/api/worlds/{world}/participants", new { role, name = "matrix" });
        Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
        var json = await joined.Content.ReadFromJsonAsync<JsonElement>();
        return (json.GetProperty("participantId").GetGuid(), json.GetProperty("token").GetString()!);
    }
}
