using WorldCluster.Abstractions;
using WorldCluster.Models.Contract;

namespace WorldCluster.Runtime.Worlds;

/// <summary>
/// The participants of one world activation: players in slots, spectators, and each player's latest action since the
/// last tick. Sessions live only as long as the activation and their keep-alives. Nothing about them is stored: an
/// activation that took up a stored world holds every player slot until <paramref name="heldUntil"/> for the
/// participants that come back with their join tokens (each names its participant and slot), and new players wait.
/// </summary>
internal sealed class WorldSessions(string worldId, int slots, TimeProvider time, TimeSpan timeout, int maxJoinsPerInvite, DateTimeOffset heldUntil = default, ActionSpace? space = null)
{
    private const int MaxNameLength = 64;
    private readonly Dictionary<Guid, Session> _sessions = [];
    // Joins per invite in this activation, and the invite each participant joined with (kept after it ends, for a late ban).
    private readonly Dictionary<string, int> _joinsByInvite = [];
    private readonly Dictionary<Guid, string> _inviteOf = [];
    private readonly ActionMerger _pending = new(space, slots);

    /// <summary>Sessions present, players and spectators.</summary>
    public int Count => _sessions.Count;

    /// <summary>Players present.</summary>
    public int PlayerCount => _sessions.Values.Count(s => s.Slot is not null);

    /// <summary>Everyone present, players by slot first.</summary>
    public IReadOnlyList<Participant> Participants =>
        [.. _sessions.Values.OrderBy(s => s.Slot ?? int.MaxValue).ThenBy(s => s.Joined).Select(s => new Participant(s.Role, s.Slot, s.Name))];

    /// <summary>Whether player slots are still held for returning participants (see <see cref="Join"/>).</summary>
    public bool HoldsSlots => time.GetUtcNow() < heldUntil;

    /// <summary>
    /// Adds a session; a player takes the requested or the lowest free slot. A returning participant (one a join token
    /// names) takes over its session when it is still here; while slots are held it gets its own slot back, if free.
    /// </summary>
    public SessionTicket Join(JoinRequest request)
    {
        if (request.Name is { Length: > MaxNameLength })
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, $"names are at most {MaxNameLength} characters");
        }
        if (request.Role is not (ParticipantRole.Player or ParticipantRole.Spectator))
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, $"unknown role {request.Role}");
        }
        if (request.Participant is { } returning)
        {
            var back = Return(returning, request);
            if (request.Invite is { } joinedWith)
            {
                _inviteOf[back.SessionId] = joinedWith;
            }
            return back;
        }
        if (request.Invite is { } invite && _joinsByInvite.GetValueOrDefault(invite) >= maxJoinsPerInvite)
        {
            throw new WorldRequestException(WorldErrorKind.Forbidden,
                $"this invite has been used for {maxJoinsPerInvite} joins of world '{worldId}', the most one invite may make; ask for a new invite");
        }
        int? slot = null;
        if (request.Role == ParticipantRole.Player)
        {
            if (HoldsSlots)
            {
                var wait = Math.Ceiling((heldUntil - time.GetUtcNow()).TotalSeconds);
                throw new WorldRequestException(WorldErrorKind.Unavailable,
                    $"world '{worldId}' restarted: its player slots are held for returning players for {wait:0} more s; join then, or watch");
            }
            slot = FreeSlot(request.Slot);
        }
        var ticket = Add(Guid.NewGuid(), request.Role, slot, request.Name);
        if (request.Invite is { } used)
        {
            _joinsByInvite[used] = _joinsByInvite.GetValueOrDefault(used) + 1;
            _inviteOf[ticket.SessionId] = used;
        }
        return ticket;
    }

    private SessionTicket Return(Guid participant, JoinRequest request)
    {
        if (_sessions.TryGetValue(participant, out var present))
        {
            if (present.Role != request.Role || present.Slot != (request.Role == ParticipantRole.Player ? request.Slot : null))
            {
                throw new WorldRequestException(WorldErrorKind.BadRequest, $"participant {participant} of world '{worldId}' is not a {request.Role} in that slot");
            }
            present.LastSeen = time.GetUtcNow();
            present.Claim++;
            return new SessionTicket(participant, worldId, present.Role, present.Slot, present.Claim);
        }
        if (!HoldsSlots)
        {
            throw new WorldRequestException(WorldErrorKind.NotFound, $"no session {participant} in world '{worldId}' (it ended or timed out; join again)");
        }
        int? slot = null;
        if (request.Role == ParticipantRole.Player)
        {
            slot = request.Slot is { } own
                ? FreeSlot(own)
                : throw new WorldRequestException(WorldErrorKind.BadRequest, "a returning player names its slot");
        }
        return Add(participant, request.Role, slot, request.Name);
    }

    // The wanted slot if it is free, or the lowest free one.
    private int FreeSlot(int? wanted)
    {
        var taken = _sessions.Values.Where(s => s.Slot is not null).Select(s => s.Slot!.Value).ToHashSet();
        if (wanted is { } w)
        {
            if (w < 0 || w >= slots)
            {
                throw new WorldRequestException(WorldErrorKind.BadRequest, $"slot {w} does not exist (world '{worldId}' has slots 0..{slots - 1})");
            }
            return taken.Contains(w) ? throw new WorldRequestException(WorldErrorKind.Conflict, $"slot {w} of world '{worldId}' is taken") : w;
        }
        return Enumerable.Range(0, slots).Cast<int?>().FirstOrDefault(s => !taken.Contains(s!.Value))
            ?? throw new WorldRequestException(WorldErrorKind.Conflict, $"world '{worldId}' has no free player slot ({slots} players)");
    }

    private SessionTicket Add(Guid id, ParticipantRole role, int? slot, string? name)
    {
        if (slot is { } s)
        {
            _pending.Clear(s);
        }
        _sessions[id] = new Session(role, slot, name, time.GetUtcNow()) { LastSeen = time.GetUtcNow() };
        return new SessionTicket(id, worldId, role, slot);
    }

    /// <summary>Ends a session; false when it was not there.</summary>
    public bool Leave(Guid sessionId)
    {
        if (!_sessions.Remove(sessionId, out var session))
        {
            return false;
        }
        if (session.Slot is { } slot)
        {
            _pending.Clear(slot);
        }
        return true;
    }

    /// <summary>Ends a session unless it was taken over again after <paramref name="claim"/>; false when it did not end.</summary>
    public bool Release(Guid sessionId, int claim) =>
        _sessions.TryGetValue(sessionId, out var session) && session.Claim == claim && Leave(sessionId);

    /// <summary>Whether the participant is present.</summary>
    public bool Contains(Guid sessionId) => _sessions.ContainsKey(sessionId);

    /// <summary>The invite a participant of this activation joined with; null for an admin's join or one this activation never saw.</summary>
    public string? InviteOf(Guid sessionId) => _inviteOf.GetValueOrDefault(sessionId);

    /// <summary>Records a player's action for the next tick.</summary>
    public void Act(Guid sessionId, int action)
    {
        var session = Require(sessionId);
        if (session.Slot is not { } slot)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, "spectators cannot act");
        }
        _pending.Set(slot, action);
    }

    /// <summary>Merges a player's checked action words (a structured space) into the next tick; see <see cref="ActionMerger"/>.</summary>
    public void Act(Guid sessionId, ReadOnlySpan<int> words, ReadOnlySpan<bool> present)
    {
        var session = Require(sessionId);
        if (session.Slot is not { } slot)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, "spectators cannot act");
        }
        _pending.Merge(slot, words, present);
    }

    /// <summary>Marks a session as alive.</summary>
    public void KeepAlive(Guid sessionId) => Require(sessionId);

    /// <summary>The actions for the next tick in slot order (no-op where a player did not act), and a fresh start for the next.</summary>
    public int[] TakeActions()
    {
        return _pending.Take();
    }

    /// <summary>Ends sessions that went quiet; returns how many.</summary>
    public int EndExpired()
    {
        var cutoff = time.GetUtcNow() - timeout;
        var expired = _sessions.Where(kv => kv.Value.LastSeen < cutoff).Select(kv => kv.Key).ToList();
        foreach (var id in expired)
        {
            Leave(id);
        }
        return expired.Count;
    }

    /// <summary>Everything about the participants, for a migrating activation to hand to its successor.</summary>
    public SessionsHandover Export() => new(
        [.. _sessions.Select(kv => new HandedOverSession(kv.Key, kv.Value.Role, kv.Value.Slot, kv.Value.Name, kv.Value.Joined, kv.Value.LastSeen, kv.Value.Claim))],
        _pending.Pending, new(_joinsByInvite), new(_inviteOf));

    /// <summary>Takes up the participants a migrated activation handed over, as they were (sessions, claims, pending actions).</summary>
    public void Import(SessionsHandover handover)
    {
        foreach (var s in handover.Sessions)
        {
            _sessions[s.Id] = new Session(s.Role, s.Slot, s.Name, s.Joined) { LastSeen = s.LastSeen, Claim = s.Claim };
        }
        _pending.Import(handover.Pending);
        foreach (var (invite, joins) in handover.JoinsByInvite)
        {
            _joinsByInvite[invite] = joins;
        }
        foreach (var (participant, invite) in handover.InviteOf)
        {
            _inviteOf[participant] = invite;
        }
    }

    private Session Require(Guid sessionId)
    {
        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            throw new WorldRequestException(WorldErrorKind.NotFound, $"no session {sessionId} in world '{worldId}' (it ended or timed out; join again)");
        }
        session.LastSeen = time.GetUtcNow();
        return session;
    }

    private sealed record Session(ParticipantRole Role, int? Slot, string? Name, DateTimeOffset Joined)
    {
        public DateTimeOffset LastSeen { get; set; }

        public int Claim { get; set; }
    }
}
