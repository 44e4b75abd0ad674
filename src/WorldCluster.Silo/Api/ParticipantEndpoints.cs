using WorldCluster.Abstractions;
using WorldCluster.Silo.Auth;
using Wire = WorldCluster.Contracts;

namespace WorldCluster.Silo.Api;

/// <summary>Joining and leaving a world over HTTP, and invites (world-scoped tokens an admin hands out).</summary>
public static class ParticipantEndpoints
{
    /// <summary>Maps <c>POST/DELETE /api/worlds/{id}/participants</c> and <c>POST /api/worlds/{id}/invites</c> onto the worlds group.</summary>
    public static RouteGroupBuilder MapParticipantApi(this RouteGroupBuilder worlds)
    {
        worlds.MapPost("/{id}/participants", Join).WithSummary("Join a world as a player or spectator; returns a token for that participant")
            .RequireAuthorization(WorldPolicies.Watch)
            .Accepts<Wire.JoinBody>("application/json").Produces<Wire.ParticipantToken>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status409Conflict);
        worlds.MapDelete("/{id}/participants/{participantId}", Leave).WithSummary("Leave a world (frees a player's slot)")
            .RequireAuthorization(WorldPolicies.Watch).Produces(StatusCodes.Status204NoContent);
        worlds.MapPost("/{id}/invites", Invite).WithSummary("Issue a world-scoped token for a role (admin)")
            .RequireAuthorization(WorldPolicies.Admin)
            .Accepts<Wire.InviteBody>("application/json").Produces<Wire.InviteToken>(StatusCodes.Status201Created);
        return worlds;
    }

    /// <summary>Parses <c>player</c> or <c>spectator</c>.</summary>
    public static ParticipantRole? ParseRole(string? role) => role switch
    {
        WorldClaims.Player => ParticipantRole.Player,
        WorldClaims.Spectator => ParticipantRole.Spectator,
        _ => null,
    };

    /// <summary>The wire name of a role.</summary>
    public static string RoleName(ParticipantRole role) => role == ParticipantRole.Player ? WorldClaims.Player : WorldClaims.Spectator;

    /// <summary>A 403 problem for a player's right the caller lacks.</summary>
    public static IResult CannotPlay(string id) =>
        Problems.Create(StatusCodes.Status403Forbidden, "Forbidden", $"this token may not join world '{id}' as a player; a player token for it (or an admin) is needed", id);

    private static async Task<IResult> Join(string id, HttpContext context, IGrainFactory grains, TokenIssuer issuer, AuthOptions options, CancellationToken cancellationToken)
    {
        if (!Wire.WorldId.IsValid(id))
        {
            return WorldEndpoints.InvalidId(id);
        }
        var (body, problem) = await JsonBody.ReadAsync<Wire.JoinBody>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (ParseRole(body!.Role) is not { } role)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid role", "'role' must be 'player' or 'spectator'", id);
        }
        if (role == ParticipantRole.Player && !context.User.CanPlay(id))
        {
            return CannotPlay(id);
        }
        try
        {
            var ticket = await grains.GetGrain<IWorldGrain>(id).JoinAsync(new JoinRequest(role, body.Name, body.Slot));
            var name = RoleName(role);
            var token = issuer.Participant(id, name, ticket.SessionId, ticket.Slot, options.ParticipantTokenLifetime);
            return Results.Created($"/api/worlds/{id}/participants/{ticket.SessionId}",
                new Wire.ParticipantToken(ticket.SessionId, id, name, ticket.Slot, body.Name, token.Token, token.ExpiresAt));
        }
        catch (WorldRequestException e)
        {
            return Problems.From(e, id);
        }
    }

    private static async Task<IResult> Leave(string id, string participantId, HttpContext context, IGrainFactory grains)
    {
        if (!Wire.WorldId.IsValid(id))
        {
            return WorldEndpoints.InvalidId(id);
        }
        if (!Guid.TryParse(participantId, out var participant))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid participant id", "a participant id is the GUID a join returned", id);
        }
        if (!context.User.IsAdmin() && context.User.ParticipantId() != participant)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "Forbidden", "only the participant's own token (or an admin) can end it", id);
        }
        try
        {
            await grains.GetGrain<IWorldGrain>(id).LeaveAsync(participant);
            return Results.NoContent();
        }
        catch (WorldRequestException e)
        {
            return Problems.From(e, id);
        }
    }

    private static async Task<IResult> Invite(string id, HttpRequest request, IGrainFactory grains, TokenIssuer issuer, AuthOptions options, CancellationToken cancellationToken)
    {
        if (!Wire.WorldId.IsValid(id))
        {
            return WorldEndpoints.InvalidId(id);
        }
        var (body, problem) = await JsonBody.ReadAsync<Wire.InviteBody>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (ParseRole(body!.Role) is not { } role)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid role", "'role' must be 'player' or 'spectator'", id);
        }
        var lifetime = options.InviteLifetime;
        if (body.LifetimeSeconds is { } seconds)
        {
            if (seconds < 1 || seconds > options.MaxInviteLifetime.TotalSeconds)
            {
                return Problems.Create(StatusCodes.Status400BadRequest, "Invalid lifetime",
                    $"'lifetimeSeconds' must be 1..{(long)options.MaxInviteLifetime.TotalSeconds}", id);
            }
            lifetime = TimeSpan.FromSeconds(seconds);
        }
        try
        {
            // Invites are for worlds that exist: a typo answers 404 rather than a token that opens nothing.
            await grains.GetGrain<IWorldGrain>(id).GetAsync();
        }
        catch (WorldRequestException e)
        {
            return Problems.From(e, id);
        }
        var token = issuer.Invite(id, RoleName(role), lifetime);
        return Results.Json(new Wire.InviteToken(id, RoleName(role), token.Token, token.ExpiresAt), statusCode: StatusCodes.Status201Created);
    }
}
