using WorldCluster.Abstractions;

namespace WorldCluster.Runtime.Worlds;

/// <summary>
/// The participants of one world activation: players in slots, spectators, and each player's latest action since the
/// last tick. Sessions live only as long as the activation and their keep-alives; after a restart clients join again.
/// </summary>
internal sealed class WorldSessions(string worldId, int slots, TimeProvider time, TimeSpan timeout, int maxJoinsPerInvite)
{
    private const int MaxNameLength = 64;
    private readonly Dictionary<Guid, Session> _sessions = [];
    // Joins per invite in this activation, and the invite each participant joined with (kept after it ends, for a late ban).
    private readonly Dictionary<string, int> _joinsByInvite = [];
    private readonly Dictionary<Guid, string> _inviteOf = [];
    private readonly int[] _pending = new int[slots];

    /// <summary>Players present.</summary>
    public int PlayerCount => _sessions.Values.Count(s => s.Slot is not null);

    /// <summary>Everyone present, players by slot first.</summary>
    public IReadOnlyList<Participant> Participants =>
        [.. _sessions.Values.OrderBy(s => s.Slot ?? int.MaxValue).ThenBy(s => s.Joined).Select(s => new Participant(s.Role, s.Slot, s.Name))];

    /// <summary>Adds a session; a player takes the requested or the lowest free slot.</summary>
    public SessionTicket Join(JoinRequest request)
    {
        if (request.Name is { Length: > MaxNameLength })
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, $"names are at most {MaxNameLength} characters");
        }
        if (request.Invite is { } invite && _joinsByInvite.GetValueOrDefault(invite) >= maxJoinsPerInvite)
        {
            throw new WorldRequestException(WorldErrorKind.Forbidden,
                $"this invite has been used for {maxJoinsPerInvite} joins of world '{worldId}', the most one invite may make; ask for a new invite");
        }
        int? slot = null;
        if (request.Role == ParticipantRole.Player)
        {
            var taken = _sessions.Values.Where(s => s.Slot is not null).Select(s => s.Slot!.Value).ToHashSet();
            if (request.Slot is { } wanted)
            {
                if (wanted < 0 || wanted >= slots)
                {
                    throw new WorldRequestException(WorldErrorKind.BadRequest, $"slot {wanted} does not exist (world '{worldId}' has slots 0..{slots - 1})");
                }
                if (taken.Contains(wanted))
                {
                    throw new WorldRequestException(WorldErrorKind.Conflict, $"slot {wanted} of world '{worldId}' is taken");
                }
                slot = wanted;
            }
            else
            {
                slot = Enumerable.Range(0, slots).Cast<int?>().FirstOrDefault(s => !taken.Contains(s!.Value))
                    ?? throw new WorldRequestException(WorldErrorKind.Conflict, $"world '{worldId}' has no free player slot ({slots} players)");
            }
            _pending[slot.Value] = 0;
        }
        else if (request.Role != ParticipantRole.Spectator)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, $"unknown role {request.Role}");
        }
        var id = Guid.NewGuid();
        _sessions[id] = new Session(request.Role, slot, request.Name, time.GetUtcNow()) { LastSeen = time.GetUtcNow() };
        if (request.Invite is { } used)
        {
            _joinsByInvite[used] = _joinsByInvite.GetValueOrDefault(used) + 1;
            _inviteOf[id] = used;
        }
        return new SessionTicket(id, worldId, request.Role, slot);
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
            _pending[slot] = 0;
        }
        return true;
    }

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
        _pending[slot] = action;
    }

    /// <summary>Marks a session as alive.</summary>
    public void KeepAlive(Guid sessionId) => Require(sessionId);

    /// <summary>The actions for the next tick in slot order (no-op where a player did not act), and a fresh start for the next.</summary>
    public int[] TakeActions()
    {
        var actions = (int[])_pending.Clone();
        Array.Clear(_pending);
        return actions;
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
    }
}
