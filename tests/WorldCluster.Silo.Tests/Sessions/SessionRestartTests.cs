using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Sessions;

/// <summary>A host that stops closes its sessions with 1001 at once, and players come back into their own slots.</summary>
public sealed class SessionRestartTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_stopping_host_closes_sessions_with_1001_and_join_tokens_take_their_slots_back_after_the_restart()
    {
        var host = SiloHostFixture.With("session-restart");
        await host.InitializeAsync();
        try
        {
            var created = await host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 3, players = 2, tickHz = 20 });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            var alice = await JoinToken(host.Http, id, "alice");
            var bob = await JoinToken(host.Http, id, "bob");
            Assert.Equal((0, 1), (alice.Slot, bob.Slot));
            var (socket, refused) = await SessionClient.ConnectAsync(host.ClientWith(bob.Token), id, "");
            Assert.True(socket is not null, $"refused: {refused}");
            await using var _ = socket;
            await socket.WaitUntil(s => s.Frames.Count > 0, Deadline);

            var stopping = System.Diagnostics.Stopwatch.StartNew();
            WebSocketCloseStatus? status = null;
            await host.RestartAsync(async () =>
            {
                await socket.WaitClosed(Deadline);
                status = socket.CloseStatus;
            });
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status);
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(20), $"the restart took {stopping.Elapsed}: sessions held the host's shutdown");

            // After the restart the world holds its slots: a new player waits (503), Bob's token gets slot 1 back even
            // though slot 0 is free, and Alice's gets slot 0.
            var newcomer = await host.Http.PostAsJsonAsync($"/api/worlds/{id}/participants", new { role = "player", name = "carol" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, newcomer.StatusCode);
            var (bobAgain, bobRefused) = await SessionClient.ConnectAsync(host.ClientWith(bob.Token), id, "name=bob");
            Assert.True(bobAgain is not null, $"bob refused: {bobRefused}");
            await using var __ = bobAgain;
            await bobAgain.WaitUntil(s => s.Texts.Count > 0, Deadline);
            Assert.Equal(1, bobAgain.Texts[0].GetProperty("slot").GetInt32());
            var (aliceAgain, aliceRefused) = await SessionClient.ConnectAsync(host.ClientWith(alice.Token), id, "name=alice");
            Assert.True(aliceAgain is not null, $"alice refused: {aliceRefused}");
            await using var ___ = aliceAgain;
            await aliceAgain.WaitUntil(s => s.Texts.Count > 0, Deadline);
            Assert.Equal(0, aliceAgain.Texts[0].GetProperty("slot").GetInt32());
            var spectator = await host.Http.PostAsJsonAsync($"/api/worlds/{id}/participants", new { role = "spectator" });
            Assert.Equal(HttpStatusCode.Created, spectator.StatusCode);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static async Task<(string Token, int Slot)> JoinToken(HttpClient http, string id, string name)
    {
        var joined = await http.PostAsJsonAsync($"/api/worlds/{id}/participants", new { role = "player", name });
        Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
        var body = await joined.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("token").GetString()!, body.GetProperty("slot").GetInt32());
    }
}
