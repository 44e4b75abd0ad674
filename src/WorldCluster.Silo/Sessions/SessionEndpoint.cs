using WorldCluster.Abstractions;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Silo.Api;
using WorldCluster.Silo.Auth;
using Wire = WorldCluster.Contracts;

namespace WorldCluster.Silo.Sessions;

/// <summary>
/// <c>GET /api/worlds/{id}/session?role=player|spectator&amp;format=png|jpeg|webp|vp8|vp9</c>: a WebSocket that joins the
/// world, sends every frame as a binary message (see <see cref="Wire.FrameMessage"/>) in the format asked for (PNG by
/// default) and takes a player's actions as JSON text (<c>{"action": 3}</c>).
/// With a join token (one that names a participant) the socket takes over that participant instead of joining anew.
/// </summary>
public static class SessionEndpoint
{
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
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggers)
    {
        if (!Wire.WorldId.IsValid(id))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid world id", "not a world id (1-64 characters of a-z, 0-9 and '-')");
        }
        if (!SessionOrigin.IsAllowed(context.Request, options.Value))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "Forbidden",
                "sessions may be opened from the gateway's own page or an origin in WorldCluster:Gateway:AllowedOrigins", id);
        }
        if (!Wire.StreamFormats.TryParse(context.Request.Query["format"].FirstOrDefault(), out var format))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid format",
                $"format must be one of {string.Join(", ", Wire.StreamFormats.Names)} (absent means png)", id);
        }
        var (request, refused) = SessionRequest.Read(id, context);
        if (refused is not null)
        {
            return refused;
        }
        // Rights first: a refused caller learns why even from a plain GET.
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "WebSocket required", "open this endpoint with a WebSocket client", id);
        }

        var world = grains.GetGrain<IWorldGrain>(id);
        WorldInfo info;
        SessionFrames frames;
        try
        {
            info = await world.GetAsync();
            // Subscribe before joining: a player's first frame is then the world as it was before its first tick.
            frames = await feeds.SubscribeAsync(id, format);
        }
        catch (WorldRequestException e)
        {
            return Problems.From(e, id);
        }
        SessionTicket ticket;
        try
        {
            ticket = await request!.JoinAsync(world);
        }
        catch (WorldRequestException e)
        {
            frames.Dispose();
            return Problems.From(e, id);
        }
        catch
        {
            frames.Dispose();
            throw;
        }

        var logger = loggers.CreateLogger("WorldCluster.Sessions");
        var participant = new SessionParticipant(world, ticket, request.Name, frames.Resubscribe, logger);
        var role = ParticipantEndpoints.RoleName(request.Role);
        var viewers = metrics.SessionViewers.WithLabels(Wire.StreamFormats.Name(format));
        viewers.Inc();
        try
        {
            // A browser that sent its token as a subprotocol must get one of its subprotocols back.
            var accept = new WebSocketAcceptContext { SubProtocol = BearerToken.SessionProtocol(context.Request) };
            using var socket = await context.WebSockets.AcceptWebSocketAsync(accept);
            var welcome = new Wire.SessionWelcome(id, role, ticket.Slot, info.Players, info.TickHz, Wire.StreamFormats.Name(format), Wire.StreamFormats.Codec(format));
            var sent = new SessionSocket.Counters(metrics.FramesSent.WithLabels(role), metrics.SessionBytesSent.WithLabels(Wire.StreamFormats.Name(format)));
            await SessionSocket.RunAsync(socket, world, participant, welcome, frames, sent, options.Value.SessionKeepAlive, logger, lifetime.ApplicationStopping, context.RequestAborted);
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or OperationCanceledException)
        {
            logger.LogDebug(e, "Session on world {WorldId} ended abruptly", id);
        }
        catch (WorldRequestException e)
        {
            logger.LogInformation("Session on world {WorldId} ended: {Reason}", id, e.Message);
        }
        finally
        {
            viewers.Dec();
            frames.Dispose();
            try
            {
                // A gateway going away keeps the participant: its client comes back through another gateway (or this one,
                // restarted) with its join token and takes it over; a world that restarts with it holds its slot.
                if (!lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    await world.ReleaseAsync(participant.Ticket.SessionId, participant.Ticket.Claim);
                }
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Leaving world {WorldId} failed; the session times out by itself", id);
            }
        }
        return Results.Empty;
    }
}
