using System.Collections.Concurrent;
using WorldCluster.Abstractions;
using WorldCluster.Contracts;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldCluster.Runtime.Worlds;

namespace WorldCluster.Runtime.Tests.Worlds;

public sealed class WorldSessionTests(WorldClusterFixture fixture) : IClassFixture<WorldClusterFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Players_get_slots_until_the_world_is_full_and_spectators_are_unlimited()
    {
        var world = await CreateWorld(tickHz: 0, players: 2);

        var p0 = await world.JoinAsync(new JoinRequest(ParticipantRole.Player, "ann"));
        var p1 = await world.JoinAsync(new JoinRequest(ParticipantRole.Player, "bob"));
        var full = await Assert.ThrowsAsync<WorldRequestException>(() => world.JoinAsync(new JoinRequest(ParticipantRole.Player)));
        var spectators = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => world.JoinAsync(new JoinRequest(ParticipantRole.Spectator))));

        Assert.Equal(0, p0.Slot);
        Assert.Equal(1, p1.Slot);
        Assert.Equal(WorldErrorKind.Conflict, full.Kind);
        Assert.All(spectators, s => Assert.Null(s.Slot));
        Assert.Equal(12, (await world.GetParticipantsAsync()).Count);

        await world.LeaveAsync(p0.SessionId);
        var again = await world.JoinAsync(new JoinRequest(ParticipantRole.Player, "cy"));
        Assert.Equal(0, again.Slot);
    }

    [Fact]
    public async Task A_real_time_world_ticks_while_players_are_present_merging_their_latest_actions_in_slot_order()
    {
        var world = await CreateWorld(tickHz: 20, players: 2);
        var twin = await CreateWorld(tickHz: 0, players: 2);
        var frames = new FrameCollector();
        var observer = fixture.Client.CreateObjectReference<IWorldObserver>(frames);
        var first = await world.SubscribeAsync(observer);
        Assert.Equal(0, first.Tick);
        Assert.False((await world.GetAsync()).Ticking);

        var a = await world.JoinAsync(new JoinRequest(ParticipantRole.Player));
        var b = await world.JoinAsync(new JoinRequest(ParticipantRole.Player));
        // An action set before a tick is merged into that tick (and only that one).
        await world.ActAsync(b.SessionId, 3);
        await frames.WaitFor(u => u.Actions.Count == 2 && u.Actions[1] == 3, Deadline);
        await world.ActAsync(a.SessionId, 4);
        await frames.WaitFor(u => u.Actions.Count == 2 && u.Actions[0] == 4, Deadline);
        Assert.True((await world.GetAsync()).Ticking);
        await world.LeaveAsync(a.SessionId);
        await world.LeaveAsync(b.SessionId);
        var stopped = await world.GetAsync();
        Assert.False(stopped.Ticking);

        // Every tick, 1..last, arrived once and in order; each was computed from the one before with the actions it carries,
        // as an on-demand twin stepping those actions shows, digest for digest.
        var seen = frames.Updates;
        Assert.Equal(Enumerable.Range(1, (int)stopped.Tick).Select(i => (long)i), seen.Select(u => u.Tick));
        foreach (var update in seen)
        {
            Assert.Equal(update.StateDigest, (await twin.StepAsync(new StepRequest(update.Actions))).StateDigest);
        }
        await world.UnsubscribeAsync(observer);
        fixture.Client.DeleteObjectReference<IWorldObserver>(observer);
    }

    [Fact]
    public void A_tick_merges_each_players_latest_action_in_slot_order_and_no_op_for_the_silent()
    {
        var sessions = new WorldSessions("w-test", 3, TimeProvider.System, TimeSpan.FromSeconds(30), maxJoinsPerInvite: 32);
        var a = sessions.Join(new JoinRequest(ParticipantRole.Player));
        var b = sessions.Join(new JoinRequest(ParticipantRole.Player));
        sessions.Join(new JoinRequest(ParticipantRole.Player));

        sessions.Act(b.SessionId, 3);
        sessions.Act(a.SessionId, 1);
        sessions.Act(a.SessionId, 4);

        Assert.Equal([4, 3, 0], sessions.TakeActions());
        Assert.Equal([0, 0, 0], sessions.TakeActions());
    }

    [Fact]
    public async Task Real_time_worlds_refuse_on_demand_steps_and_bad_actions()
    {
        var world = await CreateWorld(tickHz: 20, players: 1);
        var spectator = await world.JoinAsync(new JoinRequest(ParticipantRole.Spectator));

        var step = await Assert.ThrowsAsync<WorldRequestException>(() => world.StepAsync(new StepRequest([0])));
        var spectatorActs = await Assert.ThrowsAsync<WorldRequestException>(() => world.ActAsync(spectator.SessionId, 1));
        var unknown = await Assert.ThrowsAsync<WorldRequestException>(() => world.ActAsync(Guid.NewGuid(), 1));
        var player = await world.JoinAsync(new JoinRequest(ParticipantRole.Player));
        var outOfRange = await Assert.ThrowsAsync<WorldRequestException>(() => world.ActAsync(player.SessionId, 6));
        await world.LeaveAsync(player.SessionId);

        Assert.Equal(WorldErrorKind.Conflict, step.Kind);
        Assert.Equal(WorldErrorKind.BadRequest, spectatorActs.Kind);
        Assert.Equal(WorldErrorKind.NotFound, unknown.Kind);
        Assert.Equal(WorldErrorKind.BadRequest, outOfRange.Kind);
    }

    private async Task<IWorldGrain> CreateWorld(int tickHz, int players)
    {
        var world = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        await world.CreateAsync(new CreateWorldRequest("reference-world", 1234, players, tickHz));
        return world;
    }

    private sealed class FrameCollector : IWorldObserver
    {
        private readonly ConcurrentDictionary<long, FrameUpdate> _updates = new();
        private readonly Lock _gate = new();
        private readonly List<(Func<FrameUpdate, bool> Match, TaskCompletionSource Done)> _waiters = [];

        public List<FrameUpdate> Updates => [.. _updates.Values.OrderBy(u => u.Tick)];

        public Task OnFrameAsync(FrameUpdate update)
        {
            _updates[update.Tick] = update;
            lock (_gate)
            {
                foreach (var w in _waiters.Where(w => w.Match(update)))
                {
                    w.Done.TrySetResult();
                }
            }
            return Task.CompletedTask;
        }

        public Task WaitFor(Func<FrameUpdate, bool> match, TimeSpan deadline)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                if (_updates.Values.Any(match))
                {
                    return Task.CompletedTask;
                }
                _waiters.Add((match, done));
            }
            return done.Task.WaitAsync(deadline);
        }
    }
}
