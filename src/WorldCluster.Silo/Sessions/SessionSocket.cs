using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using WorldCluster.Abstractions;
using WorldCluster.Silo.Api;
using Wire = WorldCluster.Contracts;

namespace WorldCluster.Silo.Sessions;

/// <summary>
/// One open session socket: sends the welcome and then every frame of the session's <see cref="SessionFrames"/> as binary
/// messages (and its notices as text), takes a player's actions as JSON text, keeps the participant alive, and closes
/// with the status that says why it ended. Bad client messages get an error message and never end the session or change
/// the world. The socket outlives the world's silo: while the world moves or comes back after its silo died, calls that
/// cannot reach it are answered or retried, and a participant the world's new activation does not know joins again.
/// </summary>
internal static class SessionSocket
{
    /// <summary>Largest text message a client may send, in bytes.</summary>
    public const int MaxClientMessageBytes = 4096;

    /// <summary>The close reason sent when the host stops (status 1001, EndpointUnavailable): clients reconnect.</summary>
    public const string RestartingReason = "server restarting";

    /// <summary>What a session counts as it sends: frames (by role) and bytes (by format).</summary>
    public sealed record Counters(Prometheus.Counter.Child Frames, Prometheus.Counter.Child Bytes);

    /// <summary>
    /// Runs the session until the client, the world, the feed or the host (<paramref name="stopping"/>) ends it; then closes
    /// the socket if it is still open.
    /// </summary>
    public static async Task RunAsync(WebSocket socket, IWorldGrain world, SessionParticipant participant, Wire.SessionWelcome welcome, SessionFrames frames,
        Counters sent, TimeSpan keepAlive, ILogger logger, CancellationToken stopping, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var restarting = new TaskCompletionSource<(WebSocketCloseStatus, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Closed with 1001 at once, rather than cut off (1006) when the host's shutdown timeout runs out.
        using var onStopping = stopping.Register(() => restarting.TrySetResult((WebSocketCloseStatus.EndpointUnavailable, RestartingReason)));
        await SendText(socket, welcome, stop.Token);
        var send = SendFrames(socket, frames, sent, stop.Token);
        var receive = ReceiveActions(socket, world, participant, stop.Token);
        var alive = KeepAlive(world, participant, frames, keepAlive, logger, stop.Token);
        var ended = await Task.WhenAny(send, receive, alive, restarting.Task);
        try
        {
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
            // Close before cancelling the other loops: a cancelled receive or send aborts the socket, and the client
            // would see 1006 instead of why.
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(status, reason, closing.Token);
                if (ended != receive)
                {
                    // Wait (briefly) for the client's close: a host that is stopping drops the connection as soon as the
                    // request ends, and a browser that has not read the close frame by then reports 1006.
                    await ((Task)receive).WaitAsync(closing.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    private static async Task<(WebSocketCloseStatus, string)> SendFrames(WebSocket socket, SessionFrames frames, Counters sent, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in frames.Frames.ReadAllAsync(cancellationToken))
            {
                await socket.SendAsync(item.Message, item.Text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
                if (!item.Text)
                {
                    sent.Frames.Inc();
                    sent.Bytes.Inc(item.Message.Length);
                }
            }
            return (WebSocketCloseStatus.NormalClosure, "world feed ended");
        }
        catch (SlowSubscriberException e)
        {
            return (WebSocketCloseStatus.PolicyViolation, Truncate(e.Message));
        }
        catch (Streams.StreamEncodingException e)
        {
            return (WebSocketCloseStatus.InternalServerError, Truncate(e.Message));
        }
    }

    private static async Task<(WebSocketCloseStatus, string)> ReceiveActions(WebSocket socket, IWorldGrain world, SessionParticipant participant, CancellationToken cancellationToken)
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
            var error = await Handle(buffer.AsMemory(0, length), world, participant);
            if (error is not null)
            {
                await SendText(socket, new Wire.SessionError(error), cancellationToken);
            }
        }
    }

    // Returns an error to tell the client, or null. Bad messages never end the session or change the world.
    private static async Task<string?> Handle(ReadOnlyMemory<byte> message, IWorldGrain world, SessionParticipant participant)
    {
        Wire.ActionMessage? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<Wire.ActionMessage>(message.Span, ApiJson.Options);
        }
        catch (JsonException e)
        {
            return JsonBody.Describe(e);
        }
        if (parsed?.Action is not { } action)
        {
            return "expected {\"action\": <int>} (or {\"action\": {...}} in a structured action space)";
        }
        if (participant.Ticket.Role != ParticipantRole.Player)
        {
            return "spectators cannot act";
        }
        try
        {
            var discrete = action.IsInteger(out var n) ? n : (int?)null;
            var json = discrete is null ? action.Value.GetRawText() : null;
            await participant.RunAsync(ticket => discrete is { } a ? world.ActAsync(ticket.SessionId, a) : world.ActJsonAsync(ticket.SessionId, json!));
            return null;
        }
        catch (WorldRequestException e)
        {
            return e.Message;
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            return "the world is moving or restarting; this action was not applied (send it again)";
        }
    }

    // Every period, and at once when the world's activation changes: a participant the new activation does not know
    // joins again (SessionParticipant), and a world that cannot be reached now is tried again at the next wake-up.
    private static async Task<(WebSocketCloseStatus, string)> KeepAlive(IWorldGrain world, SessionParticipant participant, SessionFrames frames, TimeSpan period,
        ILogger logger, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period);
        Task<bool>? tick = null;
        while (true)
        {
            var moved = frames.Moved;
            tick ??= timer.WaitForNextTickAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(tick, moved) == tick)
            {
                if (!await tick)
                {
                    return (WebSocketCloseStatus.NormalClosure, "");
                }
                tick = null;
            }
            try
            {
                await participant.RunAsync(ticket => world.KeepAliveAsync(ticket.SessionId));
            }
            catch (Exception e) when (IsUnreachable(e))
            {
                logger.LogInformation("World {WorldId} cannot be reached now ({Reason}); the session stays open and tries again", participant.Ticket.WorldId, e.Message);
            }
        }
    }

    // The world's silo is gone or the call timed out: the world comes back elsewhere (Orleans activates it on a live silo).
    private static bool IsUnreachable(Exception e) => e is OrleansException or TimeoutException;

    private static Task SendText<T>(WebSocket socket, T message, CancellationToken cancellationToken) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, ApiJson.Options), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private static string Truncate(string reason) => Encoding.UTF8.GetByteCount(reason) <= 120 ? reason : reason[..100];
}
