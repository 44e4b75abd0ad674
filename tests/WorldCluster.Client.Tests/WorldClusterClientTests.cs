using WorldCluster.Contracts;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Client.Tests;

public sealed class WorldClusterClientTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    private readonly WorldClusterClient _client = new(host.Http);

    [Fact]
    public async Task Create_get_list_step_fork_and_delete_round_trip()
    {
        var models = await _client.GetModelsAsync();
        var model = Assert.Single(models, m => m.Name == "reference-world");
        Assert.Equal("discrete", model.ActionSpace.Type);

        var created = await _client.CreateWorldAsync("reference-world", seed: 42, players: 2);
        var step1 = await _client.StepAsync(created.Id, [1, 2]);
        var step2 = await _client.StepAsync(created.Id, [3, 4]);
        var got = await _client.GetWorldAsync(created.Id);
        var list = await _client.ListWorldsAsync();
        var forkAtOne = await _client.ForkAsync(created.Id, atTick: 1);
        var forkLatest = await _client.ForkAsync(created.Id);
        var png = await _client.GetFrameAsync(created.Id);

        Assert.Equal((0L, 2, 0), (created.Tick, created.Players, created.TickHz));
        Assert.Equal((1L, 2L), (step1.Tick, step2.Tick));
        Assert.Equal(2L, step2.DurableTick);
        Assert.Equal((2L, step2.StateDigest), (got.Tick, got.StateDigest));
        Assert.Contains(created.Id, list);
        Assert.Equal(step1.StateDigest, forkAtOne.StateDigest);
        Assert.Equal((created.Id, 1L), (forkAtOne.ForkedFrom!.WorldId, forkAtOne.ForkedFrom.Tick));
        Assert.Equal(step2.StateDigest, forkLatest.StateDigest);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);

        await _client.DeleteAsync(forkAtOne.Id);

        var gone = await Assert.ThrowsAsync<WorldClusterException>(() => _client.GetWorldAsync(forkAtOne.Id));
        Assert.Equal(404, gone.Status);
        Assert.DoesNotContain(forkAtOne.Id, await _client.ListWorldsAsync());
        Assert.Equal(step2.StateDigest, (await _client.GetWorldAsync(created.Id)).StateDigest);
    }

    [Fact]
    public async Task Refusals_surface_as_typed_exceptions_carrying_the_problem()
    {
        var world = await _client.CreateWorldAsync("reference-world", seed: 7, players: 2);

        var unknown = await Assert.ThrowsAsync<WorldClusterException>(() => _client.GetWorldAsync("w-0000000000000000"));
        var wrongCount = await Assert.ThrowsAsync<WorldClusterException>(() => _client.StepAsync(world.Id, [1]));
        var badModel = await Assert.ThrowsAsync<WorldClusterException>(() => _client.CreateWorldAsync("no-such-model"));
        var badId = await Assert.ThrowsAsync<WorldClusterException>(() => _client.GetWorldAsync("NOT AN ID"));

        Assert.Equal(404, unknown.Status);
        Assert.Equal("w-0000000000000000", unknown.Problem.WorldId);
        Assert.False(string.IsNullOrEmpty(unknown.Problem.Title));
        Assert.False(string.IsNullOrEmpty(unknown.Problem.Detail));
        Assert.Equal(400, wrongCount.Status);
        Assert.Contains("action", wrongCount.Problem.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(404, badModel.Status);
        Assert.Equal(400, badId.Status);
        Assert.Equal(0, (await _client.GetWorldAsync(world.Id)).Tick);
    }

    [Fact]
    public async Task A_refused_join_surfaces_the_servers_problem()
    {
        var world = await _client.CreateWorldAsync("reference-world", seed: 8, players: 1, tickHz: 20);
        await using var player = await _client.ConnectSessionAsync(world.Id, SessionRole.Player);

        var unknown = await Assert.ThrowsAsync<WorldClusterException>(() => _client.ConnectSessionAsync("w-0000000000000000", SessionRole.Spectator));
        var full = await Assert.ThrowsAsync<WorldClusterException>(() => _client.ConnectSessionAsync(world.Id, SessionRole.Player));
        var badSlot = await Assert.ThrowsAsync<WorldClusterException>(() => _client.ConnectSessionAsync(world.Id, SessionRole.Player, slot: 5));

        Assert.Equal(404, unknown.Status);
        Assert.Equal(409, full.Status);
        Assert.False(string.IsNullOrEmpty(full.Problem.Detail));
        Assert.Equal(400, badSlot.Status);
    }

    [Fact]
    public async Task A_session_yields_contiguous_frames_and_takes_an_action()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var world = await _client.CreateWorldAsync("reference-world", seed: 9, players: 1, tickHz: 20);
        await using var player = await _client.ConnectSessionAsync(world.Id, SessionRole.Player, name: "ann");
        await using var spectator = await _client.ConnectSessionAsync(world.Id, SessionRole.Spectator);

        Assert.Equal((world.Id, "player", 0, 1, 20), (player.Welcome.WorldId, player.Welcome.Role, player.Welcome.Slot, player.Welcome.Players, player.Welcome.TickHz));
        Assert.Equal(("spectator", (int?)null), (spectator.Welcome.Role, spectator.Welcome.Slot));
        await Assert.ThrowsAsync<InvalidOperationException>(() => spectator.SendActionAsync(1));
        var participants = await _client.GetParticipantsAsync(world.Id);
        Assert.Contains(new ParticipantInfo(SessionRole.Player, 0, "ann"), participants);
        Assert.Contains(participants, p => p is { Role: SessionRole.Spectator, Slot: null });

        var frames = new List<Frame>();
        var sent = false;
        await foreach (var frame in player.Frames(deadline.Token))
        {
            frames.Add(frame);
            if (!sent)
            {
                await player.SendActionAsync(3, deadline.Token);
                sent = true;
            }
            else if (frame.Actions[0] == 3)
            {
                break;
            }
        }

        var ticks = frames.Select(f => f.Tick).ToList();
        Assert.Equal(Enumerable.Range((int)ticks[0], ticks.Count).Select(t => (long)t), ticks);
        Assert.All(frames, f => Assert.True(f.DurableTick <= f.Tick));
        Assert.All(frames, f => Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], f.Png[..4]));
        Assert.Empty(player.Errors);

        // The spectator sees the same tick with the same digest.
        var last = frames[^1];
        await foreach (var frame in spectator.Frames(deadline.Token))
        {
            if (frame.Tick == last.Tick)
            {
                Assert.Equal((last.StateDigest, 3), (frame.StateDigest, frame.Actions[0]));
                break;
            }
        }
    }

    [Fact]
    public async Task A_session_outlives_the_HttpClients_request_timeout()
    {
        // The upgrade is an HTTP request; the timeout must cover only the handshake, not the session's life.
        var world = await _client.CreateWorldAsync("reference-world", seed: 10, players: 1, tickHz: 20);
        using var http = new HttpClient { BaseAddress = host.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        await using var player = await new WorldClusterClient(http, host.AdminToken).ConnectSessionAsync(world.Id, SessionRole.Player);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var frames = 0;
        var started = System.Diagnostics.Stopwatch.StartNew();
        await foreach (var frame in player.Frames(deadline.Token))
        {
            frames++;
            if (started.Elapsed > TimeSpan.FromSeconds(3.5))
            {
                break;
            }
        }

        Assert.True(frames > 1);
        Assert.Null(player.CloseStatus);
    }

    [Fact]
    public async Task The_token_option_authenticates_and_its_absence_is_a_401()
    {
        using var bare = host.ClientWith(null);

        var refused = await Assert.ThrowsAsync<WorldClusterException>(() => new WorldClusterClient(bare).GetModelsAsync());
        var models = await new WorldClusterClient(bare, host.AdminToken).GetModelsAsync();

        Assert.Equal(401, refused.Status);
        Assert.NotEmpty(models);
    }

    [Fact]
    public async Task An_invite_joins_plays_through_its_join_token_and_leaves()
    {
        using var bare = host.ClientWith(null);
        var admin = new WorldClusterClient(bare, host.AdminToken);
        var world = await admin.CreateWorldAsync("reference-world", seed: 9, players: 1, tickHz: 20);
        var invite = await admin.CreateInviteAsync(world.Id, SessionRole.Player, TimeSpan.FromMinutes(5));

        var joined = await admin.WithToken(invite.Token).JoinAsync(world.Id, SessionRole.Player, "bot");
        var player = admin.WithToken(joined.Token);
        var forbidden = await Assert.ThrowsAsync<WorldClusterException>(() => player.DeleteAsync(world.Id));
        var other = await admin.CreateWorldAsync("reference-world", seed: 10, players: 1);
        var elsewhere = await Assert.ThrowsAsync<WorldClusterException>(() => player.GetWorldAsync(other.Id));
        await using (var session = await player.ConnectSessionAsync(world.Id, SessionRole.Player))
        {
            Assert.Equal(joined.Slot, session.Welcome.Slot);
        }
        // The session's end was the participant's: its join token is spent.
        var spent = await Assert.ThrowsAsync<WorldClusterException>(() => player.GetWorldAsync(world.Id));

        Assert.Equal(("player", 0), (joined.Role, joined.Slot));
        Assert.Equal(403, forbidden.Status);
        Assert.Equal(403, elsewhere.Status);
        Assert.Equal(401, spent.Status);
    }

    [Fact]
    public async Task Pages_cover_the_whole_list()
    {
        for (var i = 0; i < 3; i++)
        {
            await _client.CreateWorldAsync("reference-world", seed: i);
        }

        var first = await _client.ListWorldsPageAsync(limit: 2);
        var rest = await _client.ListWorldsPageAsync(limit: 1000, after: first.Next);
        var bad = await Assert.ThrowsAsync<WorldClusterException>(() => _client.ListWorldsPageAsync(limit: 0));

        Assert.Equal(2, first.Worlds.Count);
        Assert.Equal(await _client.ListWorldsAsync(), [.. first.Worlds, .. rest.Worlds]);
        Assert.Null(rest.Next);
        Assert.Equal(400, bad.Status);
    }
}
