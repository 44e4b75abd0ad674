using Microsoft.AspNetCore.Authorization;

namespace WorldCluster.Silo.Auth;

/// <summary>The authorization policies of the API (the table in docs/security.md).</summary>
public static class WorldPolicies
{
    /// <summary>Any valid token.</summary>
    public const string Any = "worldcluster-any";

    /// <summary>An admin token.</summary>
    public const string Admin = "worldcluster-admin";

    /// <summary>An admin, or a player or spectator token for the world in the route.</summary>
    public const string Watch = "worldcluster-watch";

    /// <summary>An admin, or a player token for the world in the route.</summary>
    public const string Play = "worldcluster-play";

    /// <summary>Adds the four policies.</summary>
    public static AuthorizationBuilder AddWorldPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(Any, p => p.RequireAuthenticatedUser())
        .AddPolicy(Admin, p => p.RequireAuthenticatedUser().AddRequirements(new WorldAccessRequirement(WorldRight.Admin)))
        .AddPolicy(Watch, p => p.RequireAuthenticatedUser().AddRequirements(new WorldAccessRequirement(WorldRight.Watch)))
        .AddPolicy(Play, p => p.RequireAuthenticatedUser().AddRequirements(new WorldAccessRequirement(WorldRight.Play)));
}
