using Microsoft.AspNetCore.Authorization;

namespace WorldCluster.Silo.Auth;

/// <summary>Requires a right on the world named by the route's <c>{id}</c> (or admin).</summary>
public sealed record WorldAccessRequirement(WorldRight Right) : IAuthorizationRequirement;

/// <summary>Checks <see cref="WorldAccessRequirement"/> against the caller's claims; a refusal says why.</summary>
public sealed class WorldAccessHandler : AuthorizationHandler<WorldAccessRequirement>
{
    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, WorldAccessRequirement requirement)
    {
        var user = context.User;
        var worldId = (context.Resource as HttpContext)?.GetRouteValue("id") as string;
        var allowed = requirement.Right switch
        {
            WorldRight.Admin => user.IsAdmin(),
            WorldRight.Watch => worldId is not null && user.CanWatch(worldId),
            WorldRight.Play => worldId is not null && user.CanPlay(worldId),
            _ => false,
        };
        if (allowed)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, Explain(user, requirement.Right, worldId)));
        }
        return Task.CompletedTask;
    }

    private static string Explain(System.Security.Claims.ClaimsPrincipal user, WorldRight right, string? worldId)
    {
        var scope = user.WorldId() is { } own ? $"a {user.FindFirst(WorldClaims.Role)?.Value ?? "?"} token for world '{own}'" : "this token";
        return right switch
        {
            WorldRight.Admin => $"{scope} is not an admin token; this needs an admin",
            WorldRight.Watch => $"{scope} does not give access to world '{worldId}'",
            _ => $"{scope} may not act in world '{worldId}'; this needs a player token for it (or an admin)",
        };
    }
}
