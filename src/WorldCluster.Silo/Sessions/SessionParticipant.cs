using WorldCluster.Abstractions;

namespace WorldCluster.Silo.Sessions;

/// <summary>
/// The participant an open session stands for, kept across the world's moves and restarts: when the world's new
/// activation no longer knows it (its silo died and it came back from storage), the session joins again as the same
/// participant, which a restarted world holding its slots gives its own slot back, and the socket stays open.
/// </summary>
/// <param name="world">The world.</param>
/// <param name="ticket">The ticket of the session's first join.</param>
/// <param name="name">The display name the session asked for.</param>
/// <param name="beforeRejoin">Runs before each rejoin: renews the relay's subscription, so the ticks the rejoin sets going are relayed.</param>
/// <param name="logger">Where rejoins are logged.</param>
internal sealed class SessionParticipant(IWorldGrain world, SessionTicket ticket, string? name, Func<Task> beforeRejoin, ILogger logger)
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
        // A player's join starts a real-time world ticking; subscribed first, this silo's relay misses none of those ticks.
        await beforeRejoin();
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
