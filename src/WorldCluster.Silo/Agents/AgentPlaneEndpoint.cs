using WorldCluster.Models.Catalog;
using WorldCluster.Silo.Auth;
using WorldCluster.Silo.Hosting;
using Plane = WorldCluster.Contracts.Plane;

namespace WorldCluster.Silo.Agents;

/// <summary>
/// <c>GET /api/plane</c>: the agent plane, a WebSocket of binary messages that binds environment ids to on-demand worlds
/// and steps them with packed action arrays, answering with raw tensors (docs/agent-plane.md). Admin only, as the batch
/// endpoints are; every message counts one request against the token's API budget.
/// </summary>
public static class AgentPlaneEndpoint
{
    /// <summary>Maps the agent plane.</summary>
    public static IEndpointRouteBuilder MapAgentPlane(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/plane", RunPlane).RequireRateLimiting(GatewayHostingExtensions.ApiRateLimitPolicy)
            .RequireAuthorization(WorldPolicies.Admin).ExcludeFromDescription();
        return routes;
    }

    private static async Task<IResult> RunPlane(HttpContext context, IGrainFactory grains, ModelCatalog catalog, ApiBudgets budgets,
        Microsoft.Extensions.Options.IOptions<Sessions.GatewayOptions> gateway, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        if (!Sessions.SessionOrigin.IsAllowed(context.Request, gateway.Value))
        {
            // As for sessions: another site's page must not drive the plane with a token it got hold of.
            return Api.Problems.Create(StatusCodes.Status403Forbidden, "Forbidden",
                "the plane may be opened from the gateway's own page or an origin in WorldCluster:Gateway:AllowedOrigins");
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Api.Problems.Create(StatusCodes.Status400BadRequest, "WebSocket required", "open /api/plane with a WebSocket client (docs/agent-plane.md)");
        }
        var (key, permits) = GatewayHostingExtensions.Partition(context, budgets.Limits);
        var offered = context.WebSockets.WebSocketRequestedProtocols;
        // Select the plane's subprotocol when offered (a browser that sent its token as a subprotocol must get one back).
        var protocol = offered.Contains(Plane.PlaneProtocol.SubProtocol) ? Plane.PlaneProtocol.SubProtocol : BearerToken.SessionProtocol(context.Request);
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = protocol });
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping, context.RequestAborted);
        var logger = loggers.CreateLogger("WorldCluster.Agents");
        try
        {
            using var connection = new AgentPlaneConnection(socket, grains, catalog, budgets.For(key, permits), budgets.Limits, logger);
            await connection.RunAsync(stopping.Token);
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or OperationCanceledException)
        {
            logger.LogDebug(e, "Agent plane connection ended abruptly");
        }
        return Results.Empty;
    }
}
