using Microsoft.Extensions.Time.Testing;
using WorldCluster.Abstractions;
using WorldCluster.Runtime.Worlds;

namespace WorldCluster.Runtime.Tests.Worlds;

/// <summary>
/// A restarted world holds its player slots for returning join tokens (<see cref="WorldOptions.SlotGrace"/>); a participant
/// taken over by a new socket is released only by that socket.
/// </summary>
public sealed class SlotReservationTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void While_slots_are_held_only_each_slots_own_token_takes_it_and_new_players_wait()
    {
        var sessions = Restarted();
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();

        // Bob comes back first: he gets his slot 1, not the free slot 0.
        Assert.Equal(1, sessions.Join(new JoinRequest(ParticipantRole.Player, "bob", 1, Participant: bob)).Slot);
        var newcomer = Assert.Throws<WorldRequestException>(() => sessions.Join(new JoinRequest(ParticipantRole.Player, "carol")));
        Assert.Equal(WorldErrorKind.Unavailable, newcomer.Kind);
        Assert.Contains("held for returning players for 20 more s", newcomer.Message, StringComparison.Ordinal);
        // Someone else's token cannot take a slot already back with its owner.
        var thief = Assert.Throws<WorldRequestException>(() => sessions.Join(new JoinRequest(ParticipantRole.Player, null, 1, Participant: Guid.NewGuid())));
        Assert.Equal(WorldErrorKind.Conflict, thief.Kind);
        // Watching is never held back.
        Assert.Null(sessions.Join(new JoinRequest(ParticipantRole.Spectator, "dan")).Slot);

        _time.Advance(TimeSpan.FromSeconds(15));
        var ticket = sessions.Join(new JoinRequest(ParticipantRole.Player, "alice", 0, Participant: alice));
        Assert.Equal((alice, 0), (ticket.SessionId, ticket.Slot));
        Assert.Equal(["bob", "alice"], sessions.Participants.Where(p => p.Slot is not null).OrderByDescending(p => p.Slot).Select(p => p.Name));
    }

    [Fact]
    public void After_the_grace_new_players_join_and_a_token_whose_participant_is_gone_is_refused()
    {
        var sessions = Restarted();
        _time.Advance(Grace);

        Assert.Equal(0, sessions.Join(new JoinRequest(ParticipantRole.Player, "carol")).Slot);
        var gone = Assert.Throws<WorldRequestException>(() => sessions.Join(new JoinRequest(ParticipantRole.Player, "bob", 1, Participant: Guid.NewGuid())));
        Assert.Equal(WorldErrorKind.NotFound, gone.Kind);
    }

    [Fact]
    public void A_world_created_in_this_activation_holds_nothing()
    {
        var sessions = new WorldSessions("w-new", 2, _time, TimeSpan.FromSeconds(30), maxJoinsPerInvite: 32);
        Assert.False(sessions.HoldsSlots);
        Assert.Equal(0, sessions.Join(new JoinRequest(ParticipantRole.Player)).Slot);
    }

    [Fact]
    public void A_participant_taken_over_by_a_later_socket_is_not_ended_by_the_earlier_one()
    {
        var sessions = new WorldSessions("w-new", 2, _time, TimeSpan.FromSeconds(30), maxJoinsPerInvite: 32);
        var joined = sessions.Join(new JoinRequest(ParticipantRole.Player, "ann"));
        var first = sessions.Join(new JoinRequest(ParticipantRole.Player, null, joined.Slot, Participant: joined.SessionId));
        var second = sessions.Join(new JoinRequest(ParticipantRole.Player, null, joined.Slot, Participant: joined.SessionId));
        Assert.Equal((joined.SessionId, 0, 1, 2), (second.SessionId, second.Slot!.Value, first.Claim, second.Claim));
        Assert.Equal(1, sessions.Count);

        Assert.False(sessions.Release(joined.SessionId, first.Claim));
        Assert.Equal(1, sessions.PlayerCount);
        Assert.True(sessions.Release(joined.SessionId, second.Claim));
        Assert.Equal(0, sessions.PlayerCount);

        // A token for another slot than its participant's is refused.
        var other = sessions.Join(new JoinRequest(ParticipantRole.Player, "bo"));
        var wrong = Assert.Throws<WorldRequestException>(() => sessions.Join(new JoinRequest(ParticipantRole.Player, null, 1, Participant: other.SessionId)));
        Assert.Equal(WorldErrorKind.BadRequest, wrong.Kind);
    }

    private WorldSessions Restarted() => new("w-restarted", 2, _time, TimeSpan.FromSeconds(30), maxJoinsPerInvite: 32, _time.GetUtcNow() + Grace);
}
