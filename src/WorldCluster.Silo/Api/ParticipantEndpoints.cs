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
        worlds.MapDelete("/{id}/participants/{participantId}", Leave)
            .WithSummary("Leave a world (frees a player's slot), or remove a participant (admin); ?ban=true also bans it and its invite")
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

    private static async Task<IResult> Join(
        string id, HttpContext context, IGrainFactory grains, TokenIssuer issuer, AuthOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Wire.WorldId.IsValid(id))
        {
            return WorldEndpoints.InvalidId(id);
        }
        if (context.User.ParticipantId() is not null)
        {
            // Otherwise a join token could mint the next one for ever, outliving its invite.
            return Problems.Create(StatusCodes.Status403Forbidden, "Forbidden",
                "a join token cannot join again; join with the invite (or open a session with this token to take its participant over)", id);
        }
        // A join token ends when its invite does: an invite's holder never gets access longer than the admin granted.
        var lifetime = options.ParticipantTokenLifetime;
        if (context.User.WorldId() is not null && context.User.ExpiresAt() is { } inviteEnds)
        {
            lifetime = TimeSpan.FromSeconds(Math.Min(lifetime.TotalSeconds, Math.Floor((inviteEnds - time.GetUtcNow()).TotalSeconds)));
            if (lifetime <= TimeSpan.Zero)
            {
                return Problems.Create(StatusCodes.Status403Forbidden, "Forbidden", "this invite has expired; ask for a new one", id);
            }
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
            var invite = context.User.InviteId();
            var ticket = await grains.GetGrain<IWorldGrain>(id).JoinAsync(new JoinRequest(role, body.Name, body.Slot, invite));
            var name = RoleName(role);
            var token = issuer.Participant(id, name, ticket.SessionId, ticket.Slot, invite, lifetime);
            return Results.Created($"/api/worlds/{id}/participants/{ticket.SessionId}",
                new Wire.ParticipantToken(ticket.SessionId, id, name, ticket.Slot, body.Name, token.Token, token.ExpiresAt));
        }
        catch (WorldRequestException e)
        {
            return Problems.From(e, id);
        }
    }

    private static async Task<IResult> Leave(string id, string participantId, HttpContext context, IGrainFactory grains, AuthOptions options, TimeProvider time)
    {
        if (!Wire.WorldId.IsValid(id))
        {
            return WorldEndpoints.InvalidId(id);
        }
        if (!Guid.TryParse(participantId, out var participant))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid participant id", "a participant id is the GUID a join returned", id);
        }
        var ban = context.Request.Query["ban"].ToString();
        if (ban is not ("" or "true" or "false"))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid ban", "'ban' must be 'true' or 'false'", id);
        }
        if (!context.User.IsAdmin() && (context.User.ParticipantId() != participant || ban == "true"))
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "Forbidden",
                ban == "true" ? "only an admin can ban" : "only the participant's own token (or an admin) can end it", id);
        }
        try
        {
            var world = grains.GetGrain<IWorldGrain>(id);
            if (ban == "true")
            {
                // Until every token the ban covers has expired anyway: invites live at most MaxInviteLifetime, join tokens no longer.
                var longest = options.MaxInviteLifetime > options.ParticipantTokenLifetime ? options.MaxInviteLifetime : options.ParticipantTokenLifetime;
                await world.BanAsync(new BanRequest(participant, time.GetUtcNow() + longest + TimeSpan.FromMinutes(1)));
            }
            else
            {
                await world.LeaveAsync(participant);
            }
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
