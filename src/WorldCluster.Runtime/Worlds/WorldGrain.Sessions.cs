using Microsoft.Extensions.Logging;
using WorldCluster.Abstractions;
using WorldCluster.Runtime.Durability;
using ActionCheck = WorldCluster.Contracts.ActionCheck;
using ActionWords = WorldCluster.Contracts.ActionWords;

namespace WorldCluster.Runtime.Worlds;

// The session plane of the grain: players and spectators joining, acting and leaving, the real-time ticks that take the
// players' actions, and observers following the frames.
public sealed partial class WorldGrain
{
    /// <inheritdoc />
    public Task<SessionTicket> JoinAsync(JoinRequest request)
    {
        var world = RequireWorld();
        if (request.Invite is { } invite && IsBanned(WorldBan.OfInvite(invite)))
        {
            throw Banned();
        }
        // Expired sessions free their slots first, counted like every other expiry.
        EndExpiredSessions();
        var before = Sessions().Count;
        var ticket = Sessions().Join(request);
        // A participant taken over is counted once.
        metrics.Participants.WithLabels(world.Model).Inc(Sessions().Count - before);
        if (ticket.Role == ParticipantRole.Player && Head.TickHz > 0)
        {
            _ticker!.Start(Head.TickHz);
        }
        return Task.FromResult(ticket);
    }

    /// <inheritdoc />
    public Task LeaveAsync(Guid sessionId)
    {
        var world = RequireWorld();
        if (Sessions().Leave(sessionId))
        {
            metrics.Participants.WithLabels(world.Model).Dec();
        }
        if (Sessions().PlayerCount == 0)
        {
            _ticker!.Stop();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CheckTokenAsync(TokenCheck check)
    {
        if (_world is null || _unusable is not null)
        {
            // Nothing to revoke; the request itself answers 404 (or 422).
            return Task.CompletedTask;
        }
        if ((check.Invite is { } invite && IsBanned(WorldBan.OfInvite(invite)))
            || (check.Participant is { } banned && IsBanned(WorldBan.OfParticipant(banned))))
        {
            throw Banned();
        }
        if (check.Participant is { } participant)
        {
            // While a restarted world holds its slots, a returning participant's token stands: its join takes the slot back.
            if (!Sessions().Contains(participant) && !Sessions().HoldsSlots)
            {
                throw new WorldRequestException(WorldErrorKind.Forbidden,
                    $"participant {participant} is no longer in world '{WorldKey}' (it left, was removed or timed out); join again with an invite");
            }
            if (Sessions().Contains(participant))
            {
                Sessions().KeepAlive(participant);
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task BanAsync(BanRequest request)
    {
        RequireWorld();
        List<WorldBan> bans = [new(WorldBan.OfParticipant(request.Participant), request.Until)];
        if (Sessions().InviteOf(request.Participant) is { } invite)
        {
            bans.Add(new(WorldBan.OfInvite(invite), request.Until));
        }
        // Durable first: once the ban answers, no silo and no restart lets the participant or its invite back in.
        await _journal!.BanAsync(bans, _options.MaxBans);
        await LeaveAsync(request.Participant);
        logger.LogInformation("World {WorldId}: participant {Participant} banned until {Until:u}", WorldKey, request.Participant, request.Until);
    }

    /// <inheritdoc />
    public Task ReleaseAsync(Guid sessionId, int claim)
    {
        var world = RequireWorld();
        if (Sessions().Release(sessionId, claim))
        {
            metrics.Participants.WithLabels(world.Model).Dec();
        }
        if (Sessions().PlayerCount == 0)
        {
            _ticker!.Stop();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ActAsync(Guid sessionId, int action)
    {
        RequireWorld();
        if (!RequireModel().Manifest.ActionSpace.IsDiscrete)
        {
            return ActJsonAsync(sessionId, action.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (ActionCheck.Problem(action, RequireModel().Manifest.ActionSpace.N) is { } wrong)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, wrong);
        }
        Sessions().Act(sessionId, action);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ActJsonAsync(Guid sessionId, string action)
    {
        RequireWorld();
        var space = RequireModel().Actions;
        var words = new int[ActionWords.Width(space)];
        var present = new bool[space.Components?.Length ?? 1];
        string? wrong;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(action);
            wrong = ActionWords.ParseSlot(doc.RootElement, space, "action", words, present);
        }
        catch (System.Text.Json.JsonException e)
        {
            wrong = $"action is not JSON: {e.Message}";
        }
        if (wrong is not null)
        {
            throw new WorldRequestException(WorldErrorKind.BadRequest, wrong);
        }
        if (space.Components is null)
        {
            Sessions().Act(sessionId, words[0]);
        }
        else
        {
            Sessions().Act(sessionId, words, present);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task KeepAliveAsync(Guid sessionId)
    {
        RequireWorld();
        Sessions().KeepAlive(sessionId);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Participant>> GetParticipantsAsync()
    {
        RequireWorld();
        EndExpiredSessions();
        return Task.FromResult(Sessions().Participants);
    }

    /// <inheritdoc />
    public Task<FrameUpdate> SubscribeAsync(IWorldObserver observer)
    {
        var world = RequireWorld();
        _fanOut!.Subscribe(observer);
        return Task.FromResult(CurrentUpdate(world));
    }

    /// <inheritdoc />
    public Task UnsubscribeAsync(IWorldObserver observer)
    {
        _fanOut!.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<FrameUpdate>> GetUpdatesAfterAsync(long tick)
    {
        RequireWorld();
        return Task.FromResult(_fanOut!.After(tick));
    }

    private async Task OnRealtimeTick(CancellationToken cancellationToken)
    {
        if (_world is null || _sessions is null || !_ticker!.IsRunning)
        {
            return;
        }
        EndExpiredSessions();
        if (_sessions.PlayerCount == 0)
        {
            _ticker.Stop();
            return;
        }
        var model = _world.Model;
        var due = _ticker.ObserveStart(model);
        if (_journal!.UnwrittenCount >= _options.MaxUnwrittenTicks)
        {
            // Storage has been failing for a while: pause rather than hold an unbounded history nobody could recover.
            metrics.TicksSkipped.WithLabels(model).Inc();
            _ticker.ScheduleNext();
            return;
        }
        try
        {
            var forward = 0.0;
            await Advance(_sessions.TakeActions(), inBackground: true, s => forward = s);
            _ticker.ObserveTick(model, due, forward);
        }
        catch (WorldRequestException e) when (e.Kind is WorldErrorKind.Unavailable or WorldErrorKind.ModelFailed)
        {
            // The batcher or the store is saturated, or the model failed this tick: it is skipped, the next one tries again.
            metrics.TicksSkipped.WithLabels(_world.Model).Inc();
            logger.LogWarning("World {WorldId}: tick skipped: {Reason}", WorldKey, e.Message);
        }
        _ticker.ScheduleNext();
    }

    private void EndExpiredSessions()
    {
        var ended = Sessions().EndExpired();
        if (ended > 0)
        {
            metrics.Participants.WithLabels(_world!.Model).Dec(ended);
            logger.LogInformation("World {WorldId}: {Count} session(s) timed out", WorldKey, ended);
        }
    }

    private bool IsBanned(string subject) =>
        Head.Bans is { } bans && bans.Any(b => b.Subject == subject && b.Until > time.GetUtcNow());

    private WorldRequestException Banned() =>
        new(WorldErrorKind.Forbidden, $"this token's participant or invite is banned from world '{WorldKey}'");

    private WorldSessions Sessions() =>
        _sessions ??= new WorldSessions(WorldKey, _world!.Players, time, _options.SessionTimeout, _options.MaxJoinsPerInvite, _slotsHeldUntil, _model?.Manifest.ActionSpace);
}
