using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using WorldCluster.Abstractions;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Silo.Api;
using WorldCluster.Silo.Auth;
using Wire = WorldCluster.Contracts;

namespace WorldCluster.Silo.Sessions;

/// <summary>
/// <c>GET /api/worlds/{id}/session?role=player|spectator</c>: a WebSocket that joins the world, sends every frame as a
/// binary message (see <see cref="Wire.FrameMessage"/>) and takes a player's actions as JSON text (<c>{"action": 3}</c>).
/// With a join token (one that names a participant) the socket takes over that participant instead of joining anew.
/// </summary>
public static class SessionEndpoint
{
    /// <summary>Largest text message a client may send, in bytes.</summary>
    public const int MaxClientMessageBytes = 4096;

    /// <summary>Maps the session endpoint.</summary>
    public static IEndpointRouteBuilder MapWorldSessions(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/worlds/{id}/session", RunSession).RequireRateLimiting(Hosting.GatewayHostingExtensions.ApiRateLimitPolicy)
            .RequireAuthorization(WorldPolicies.Watch);
        return routes;
    }

    private static async Task<IResult> RunSession(
        string id,
        HttpContext context,
        IGrainFactory grains,
        WorldFeeds feeds,
        WorldClusterMetrics metrics,
        Microsoft.Extensions.Options.IOptions<GatewayOptions> options,
        ILoggerFactory loggers)
    {
        if (!Wire.WorldId.IsValid(id))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid world id", "not a world id (1-64 characters of a-z, 0-9 and '-')");
        }
        var query = context.Request.Query;
        var joined = context.User.ParticipantId();
        ParticipantRole role;
        if (joined is not null)
        {
            // A join token carries its role and slot; the query's slot and name do not apply, and a role must agree.
            role = context.User.IsInRole(WorldClaims.Player) ? ParticipantRole.Player : ParticipantRole.Spectator;
            var asked = query["role"].ToString();
            if (asked.Length > 0 && asked != ParticipantEndpoints.RoleName(role))
            {
                return asked == WorldClaims.Player
                    ? ParticipantEndpoints.CannotPlay(id)
                    : Problems.Create(StatusCodes.Status400BadRequest, "Invalid role",
                        $"this join token is for a {ParticipantEndpoints.RoleName(role)}; leave 'role' out or join again as a {asked}", id);
            }
        }
        else
        {
            switch (query["role"].ToString())
            {
                case "player":
                    role = ParticipantRole.Player;
                    break;
                case "spectator" or "":
                    role = ParticipantRole.Spectator;
                    break;
                default:
                    return Problems.Create(StatusCodes.Status400BadRequest, "Invalid role", "role must be 'player' or 'spectator'", id);
            }
            if (role == ParticipantRole.Player && !context.User.CanPlay(id))
            {
                return ParticipantEndpoints.CannotPlay(id);
            }
        }
        int? slot = null;
        if (joined is null && query.TryGetValue("slot", out var slotText))
        {
            if (!int.TryParse(slotText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s))
            {
                return Problems.Create(StatusCodes.Status400BadRequest, "Invalid slot", "slot must be a non-negative integer", id);
            }
            slot = s;
        }

        // Rights first: a refused caller learns why even from a plain GET.
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "WebSocket required", "open this endpoint with a WebSocket client", id);
        }

        var world = grains.GetGrain<IWorldGrain>(id);
        SessionTicket ticket;
        WorldInfo info;
        SessionFrames subscription;
        try
        {
            info = await world.GetAsync();
            // Subscribe before joining: a player's first frame is then the world as it was before its first tick.
            subscription = await feeds.SubscribeAsync(id);
        }
        catch (WorldRequestException e)
        {
            return Problems.From(e, id);
        }
        try
        {
            if (joined is { } participant)
            {
                // The participant must still be there (it times out without a socket, and ends when one closes).
                await world.KeepAliveAsync(participant);
                ticket = new SessionTicket(participant, id, role, context.User.SlotOf());
            }
            else
            {
                ticket = await world.JoinAsync(new JoinRequest(role, query["name"].FirstOrDefault(), slot));
            }
        }
        catch (WorldRequestException e)
        {
            subscription.Dispose();
            return Problems.From(e, id);
        }
        catch
        {
            subscription.Dispose();
            throw;
        }

        var logger = loggers.CreateLogger("WorldCluster.Sessions");
        try
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            await SendText(socket, new Wire.SessionWelcome(id, ParticipantEndpoints.RoleName(role), ticket.Slot, info.Players, info.TickHz), stop.Token);
            var roleLabel = role == ParticipantRole.Player ? "player" : "spectator";
            var send = SendFrames(socket, subscription, metrics.FramesSent.WithLabels(roleLabel), stop.Token);
            var receive = ReceiveActions(socket, world, ticket, stop.Token);
            var keepAlive = KeepAlive(world, ticket, options.Value.SessionKeepAlive, stop.Token);
            var ended = await Task.WhenAny(send, receive, keepAlive);
            await stop.CancelAsync();
            WebSocketCloseStatus status;
            string reason;
            try
            {
                (status, reason) = await ended;
            }
            catch (WorldRequestException e)
            {
                // The world ended the session (it restarted, or the session timed out): the client joins again.
                (status, reason) = (WebSocketCloseStatus.EndpointUnavailable, Truncate(e.Message));
            }
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(status, reason, closing.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            logger.LogDebug(e, "Session on world {WorldId} ended abruptly", id);
        }
        catch (WorldRequestException e)
        {
            logger.LogInformation("Session on world {WorldId} ended: {Reason}", id, e.Message);
        }
        finally
        {
            subscription.Dispose();
            try
            {
                await world.LeaveAsync(ticket.SessionId);
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Leaving world {WorldId} failed; the session times out by itself", id);
            }
        }
        return Results.Empty;
    }

    private static async Task<(WebSocketCloseStatus, string)> SendFrames(WebSocket socket, SessionFrames subscription, Prometheus.Counter.Child sent, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in subscription.Frames.ReadAllAsync(cancellationToken))
            {
                await socket.SendAsync(item.Message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
                sent.Inc();
            }
            return (WebSocketCloseStatus.NormalClosure, "world feed ended");
        }
        catch (SlowSubscriberException e)
        {
            return (WebSocketCloseStatus.PolicyViolation, Truncate(e.Message));
        }
        catch (FrameGapException e)
        {
            return (WebSocketCloseStatus.InternalServerError, Truncate(e.Message));
        }
    }

    private static async Task<(WebSocketCloseStatus, string)> ReceiveActions(WebSocket socket, IWorldGrain world, SessionTicket ticket, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxClientMessageBytes];
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    return (WebSocketCloseStatus.MessageTooBig, $"messages are limited to {MaxClientMessageBytes} bytes");
                }
                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                length += result.Count;
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketCloseStatus.NormalClosure, "bye");
            }
            if (result.MessageType == WebSocketMessageType.Binary)
            {
                return (WebSocketCloseStatus.InvalidMessageType, "send actions as JSON text messages");
            }
            var error = await Handle(buffer.AsMemory(0, length), world, ticket);
            if (error is not null)
            {
                await SendText(socket, new Wire.SessionError(error), cancellationToken);
            }
        }
    }

    // Returns an error to tell the client, or null. Bad messages never end the session or change the world.
    private static async Task<string?> Handle(ReadOnlyMemory<byte> message, IWorldGrain world, SessionTicket ticket)
    {
        Wire.ActionMessage? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<Wire.ActionMessage>(message.Span, ApiJson.Options);
        }
        catch (JsonException e)
        {
            return $"invalid JSON: {e.Message}";
        }
        if (parsed?.Action is not { } action)
        {
            return "expected {\"action\": <int>}";
        }
        if (ticket.Role != ParticipantRole.Player)
        {
            return "spectators cannot act";
        }
        try
        {
            await world.ActAsync(ticket.SessionId, action);
            return null;
        }
        catch (WorldRequestException e)
        {
            return e.Message;
        }
    }

    private static async Task<(WebSocketCloseStatus, string)> KeepAlive(IWorldGrain world, SessionTicket ticket, TimeSpan period, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            await world.KeepAliveAsync(ticket.SessionId);
        }
        return (WebSocketCloseStatus.NormalClosure, "");
    }

    private static Task SendText<T>(WebSocket socket, T message, CancellationToken cancellationToken) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, ApiJson.Options), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private static string Truncate(string reason) => Encoding.UTF8.GetByteCount(reason) <= 120 ? reason : reason[..100];

}
