using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests;

public sealed class SessionTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Two_players_and_a_spectator_share_one_real_time_world_and_see_the_same_frames()
    {
        var id = await CreateWorld(new { model = "reference-world", seed = 11, players = 2, tickHz = 20 });
        await using var spectator = await Connect(id, "role=spectator");
        await using var p0 = await Connect(id, "role=player&name=ann");
        await using var p1 = await Connect(id, "role=player&name=bob");
        await spectator.WaitUntil(c => c.Texts.Count > 0, Deadline);
        Assert.Equal("welcome", await WaitWelcome(p0));

        await p0.SendTextAsync("""{"action": 4}""");
        await p1.SendTextAsync("""{"action": 2}""");
        await spectator.WaitUntil(c => c.Frames.Any(f => f.Header.Actions is [4, _]) && c.Frames.Any(f => f.Header.Actions is [_, 2]), Deadline);
        var lateTick = spectator.Frames[^1].Header.Tick;
        await using var late = await Connect(id, "role=spectator");
        await late.WaitUntil(c => c.Frames.Count >= 3, Deadline);
        await spectator.WaitUntil(c => c.Frames[^1].Header.Tick >= late.Frames[^1].Header.Tick, Deadline);

        // Each stream is gap-free and in order; a late joiner starts at the then-current frame.
        foreach (var client in new[] { spectator, p0, p1, late })
        {
            var ticks = client.Frames.Select(f => f.Header.Tick).ToList();
            Assert.Equal(Enumerable.Range((int)ticks[0], ticks.Count).Select(t => (long)t), ticks);
        }
        Assert.True(late.Frames[0].Header.Tick >= lateTick, "a late joiner's first frame is the current one");
        // Everyone sees the same frame and digest for the same tick.
        var reference = spectator.Frames.ToDictionary(f => f.Header.Tick);
        foreach (var client in new[] { p0, p1, late })
        {
            foreach (var (header, png) in client.Frames.Where(f => reference.ContainsKey(f.Header.Tick)))
            {
                Assert.Equal(reference[header.Tick].Header.StateDigest, header.StateDigest);
                Assert.Equal(reference[header.Tick].Png, png);
                Assert.True(header.DurableTick <= header.Tick);
            }
        }
        var participants = await host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}/participants");
        Assert.Equal(4, participants.GetProperty("participants").GetArrayLength());
    }

    [Fact]
    public async Task Spectators_cannot_act_and_bad_messages_get_errors_without_ending_the_session()
    {
        var id = await CreateWorld(new { model = "reference-world", seed = 12, players = 1, tickHz = 20 });
        await using var spectator = await Connect(id, "role=spectator");

        await spectator.SendTextAsync("""{"action": 1}""");
        await spectator.SendTextAsync("""{"action": "up"}""");
        await spectator.SendTextAsync("not json");
        await spectator.WaitUntil(c => c.Texts.Count(t => t.GetProperty("type").GetString() == "error") == 3, Deadline);

        Assert.Contains(spectator.Texts, t => t.GetProperty("type").GetString() == "error" && t.GetProperty("message").GetString()!.Contains("spectators", StringComparison.Ordinal));
        Assert.Null(spectator.CloseStatus);
        var world = await host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}");
        Assert.Equal(0, world.GetProperty("tick").GetInt64());
    }

    [Fact]
    public async Task Binary_or_oversized_client_messages_close_the_session()
    {
        var id = await CreateWorld(new { model = "reference-world", seed = 13, players = 2, tickHz = 20 });
        await using var binary = await Connect(id, "role=player");
        await using var huge = await Connect(id, "role=player");

        await binary.SendBinaryAsync([1, 2, 3]);
        await huge.SendTextAsync(new string(' ', 10_000));
        await binary.WaitClosed(Deadline);
        await huge.WaitClosed(Deadline);

        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, binary.CloseStatus);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, huge.CloseStatus);
        // Their slots are free again.
        await using var again = await Connect(id, "role=player");
        await again.WaitUntil(c => c.Texts.Count > 0, Deadline);
    }

    [Theory]
    [InlineData("w-0000000000000000", "role=player", HttpStatusCode.NotFound)]
    [InlineData(null, "role=king", HttpStatusCode.BadRequest)]
    [InlineData(null, "role=player&slot=9", HttpStatusCode.BadRequest)]
    [InlineData(null, "role=player&slot=x", HttpStatusCode.BadRequest)]
    public async Task Bad_session_requests_are_refused_before_the_upgrade(string? world, string query, HttpStatusCode expected)
    {
        var id = world ?? await CreateWorld(new { model = "reference-world", seed = 14, players = 1, tickHz = 20 });

        var (client, refused) = await SessionClient.ConnectAsync(host.Http, id, query);

        Assert.Null(client);
        Assert.Equal(expected, refused);
    }

    [Fact]
    public async Task A_full_world_refuses_another_player_but_not_a_spectator()
    {
        var id = await CreateWorld(new { model = "reference-world", seed = 15, players = 1, tickHz = 20 });
        await using var first = await Connect(id, "role=player");
        await first.WaitUntil(c => c.Texts.Count > 0, Deadline);

        var (second, refused) = await SessionClient.ConnectAsync(host.Http, id, "role=player");
        await using var spectator = await Connect(id, "role=spectator");

        Assert.Null(second);
        Assert.Equal(HttpStatusCode.Conflict, refused);
        await spectator.WaitUntil(c => c.Frames.Count > 0, Deadline);
    }

    [Fact]
    public async Task Real_time_worlds_refuse_http_steps_and_tick_rates_are_bounded()
    {
        var id = await CreateWorld(new { model = "reference-world", seed = 16, players = 1, tickHz = 20 });

        var step = await host.Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions = new[] { 0 } });
        var tooFast = await host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 1, tickHz = 1000 });

        Assert.Equal(HttpStatusCode.Conflict, step.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooFast.StatusCode);
    }

    [Fact]
    public async Task A_fork_over_http_has_the_sources_digest_and_a_future_tick_is_refused()
    {
        var id = await CreateWorld(new { model = "reference-world", seed = 17 });
        var digests = new List<string>();
        for (var t = 0; t < 5; t++)
        {
            var r = await host.Http.PostAsJsonAsync($"/api/worlds/{id}/step", new { actions = new[] { 4, 3, 2, 1 } });
            digests.Add((await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stateDigest").GetString()!);
        }

        var latest = await host.Http.PostAsync($"/api/worlds/{id}/fork", null);
        var atTwo = await host.Http.PostAsJsonAsync($"/api/worlds/{id}/fork", new { atTick = 2 });
        var future = await host.Http.PostAsJsonAsync($"/api/worlds/{id}/fork", new { atTick = 50 });

        Assert.Equal(HttpStatusCode.Created, latest.StatusCode);
        Assert.Equal(digests[4], (await latest.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stateDigest").GetString());
        Assert.Equal(HttpStatusCode.Created, atTwo.StatusCode);
        var fork = await atTwo.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(digests[1], fork.GetProperty("stateDigest").GetString());
        Assert.Equal(id, fork.GetProperty("forkedFrom").GetProperty("worldId").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
    }

    [Fact]
    public async Task A_real_time_worlds_video_viewers_get_every_tick_the_png_viewers_get()
    {
        var response = await host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 26, players = 1, tickHz = 20 });
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await using var exact = await Connect(id, "role=spectator");
        await using var video = await Connect(id, "role=spectator&format=vp8");
        await using var player = await Connect(id, "role=player&format=webp");

        await video.WaitUntil(c => c.Streamed.Count >= 30, Deadline);
        var last = video.Streamed[^1].Tick;
        await exact.WaitUntil(c => c.Frames.Count > 0 && c.Frames[^1].Header.Tick >= last, Deadline);
        await player.WaitUntil(c => c.Streamed.Count > 0 && c.Streamed[^1].Tick >= last, Deadline);

        // Default settings (64 frames queued per socket): nobody falls far enough behind to drop.
        foreach (var ticks in new[] { video.Streamed.Select(f => f.Tick).ToList(), player.Streamed.Select(f => f.Tick).ToList() })
        {
            Assert.Equal(Enumerable.Range((int)ticks[0], ticks.Count).Select(t => (long)t), ticks);
        }
        var digests = exact.Frames.ToDictionary(f => f.Header.Tick, f => f.Header.StateDigest);
        Assert.All(video.Streamed.Where(f => digests.ContainsKey(f.Tick)), f => Assert.Equal(digests[f.Tick], f.StateDigest));
        Assert.True(video.Streamed[0].Keyframe);
    }

    private async Task<string> CreateWorld(object body)
    {
        var response = await host.Http.PostAsJsonAsync("/api/worlds", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<SessionClient> Connect(string id, string query)
    {
        var (client, refused) = await SessionClient.ConnectAsync(host.Http, id, query);
        Assert.True(client is not null, $"session refused: {refused}");
        return client;
    }

    private static async Task<string?> WaitWelcome(SessionClient client)
    {
        await client.WaitUntil(c => c.Texts.Count > 0, Deadline);
        return client.Texts[0].GetProperty("type").GetString();
    }
}
