using WorldCluster.Abstractions;

namespace WorldCluster.Silo.Sessions;

/// <summary>
/// The participant an open session stands for, kept across the world's moves and restarts: when the world's new
/// activation no longer knows it (its silo died and it came back from storage), the session joins again as the same
/// participant, which a restarted world holding its slots gives its own slot back, and the socket stays open.
/// </summary>
internal sealed class SessionParticipant(IWorldGrain world, SessionTicket ticket, string? name, ILogger logger)
{
    private readonly Lock _gate = new();
    private SessionTicket _ticket = ticket;
    private (SessionTicket Stale, Task Join)? _rejoin;

    /// <summary>The ticket of the latest join (its claim changes with each one).</summary>
    public SessionTicket Ticket => Volatile.Read(ref _ticket);

    /// <summary>
    /// Runs <paramref name="call"/> with the current ticket; if the world no longer knows the participant, joins again as
    /// it and runs the call once more. A rejoin the world refuses throws its refusal (the session then ends).
    /// </summary>
    public async Task RunAsync(Func<SessionTicket, Task> call)
    {
        var used = Ticket;
        try
        {
            await call(used);
        }
        catch (WorldRequestException e) when (e.Kind == WorldErrorKind.NotFound)
        {
            await RejoinAsync(used);
            await call(Ticket);
        }
    }

    // One rejoin for every caller that found the same ticket stale; a failed one is tried again by the next caller.
    private Task RejoinAsync(SessionTicket stale)
    {
        lock (_gate)
        {
            if (Ticket != stale)
            {
                return Task.CompletedTask;
            }
            if (_rejoin is { } running && running.Stale == stale && !running.Join.IsFaulted && !running.Join.IsCanceled)
            {
                return running.Join;
            }
            var join = JoinAgainAsync(stale);
            _rejoin = (stale, join);
            return join;
        }
    }

    private async Task JoinAgainAsync(SessionTicket stale)
    {
        SessionTicket again;
        try
        {
            again = await world.JoinAsync(new JoinRequest(stale.Role, name, stale.Slot, Participant: stale.SessionId));
        }
        catch (WorldRequestException e) when (e.Kind == WorldErrorKind.NotFound && stale.Role == ParticipantRole.Spectator)
        {
            // The world no longer holds returning participants; a spectator holds no slot, so it simply watches anew.
            again = await world.JoinAsync(new JoinRequest(ParticipantRole.Spectator, name));
        }
        Volatile.Write(ref _ticket, again);
        logger.LogInformation("Session {Session} rejoined world {WorldId} in slot {Slot} after the world restarted", stale.SessionId, stale.WorldId, again.Slot);
    }
}
