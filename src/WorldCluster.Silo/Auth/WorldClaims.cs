using System.Globalization;
using System.Security.Claims;

namespace WorldCluster.Silo.Auth;

/// <summary>The claims of WorldCluster's tokens, and what a signed-in caller may do with them.</summary>
public static class WorldClaims
{
    /// <summary>Issuer and audience of the tokens the gateway signs itself.</summary>
    public const string LocalIssuer = "worldcluster";

    /// <summary>The role claim: <c>admin</c>, <c>player</c> or <c>spectator</c>.</summary>
    public const string Role = "role";

    /// <summary>The world a player or spectator token is limited to.</summary>
    public const string World = "wc_world";

    /// <summary>The participant (session) a join token stands for.</summary>
    public const string Participant = "wc_participant";

    /// <summary>The invite (its <c>jti</c>) a join token was minted from; absent when an admin joined.</summary>
    public const string Invite = "wc_invite";

    /// <summary>The player slot of a join token.</summary>
    public const string Slot = "wc_slot";

    /// <summary>The admin role.</summary>
    public const string Admin = "admin";

    /// <summary>The player role.</summary>
    public const string Player = "player";

    /// <summary>The spectator role.</summary>
    public const string Spectator = "spectator";

    /// <summary>Whether the caller is an admin.</summary>
    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Admin);

    /// <summary>The world a world-scoped token is for; null for an admin.</summary>
    public static string? WorldId(this ClaimsPrincipal user) => user.FindFirstValue(World);

    /// <summary>The participant a join token stands for, if it is one.</summary>
    public static Guid? ParticipantId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(Participant), out var id) ? id : null;

    /// <summary>The invite a world-scoped token is (its <c>jti</c>) or was minted from; null for an admin or a join by an admin.</summary>
    public static string? InviteId(this ClaimsPrincipal user) =>
        user.WorldId() is null ? null : user.ParticipantId() is null ? user.FindFirstValue("jti") : user.FindFirstValue(Invite);

    /// <summary>When the caller's token expires (its <c>exp</c>), if it says.</summary>
    public static DateTimeOffset? ExpiresAt(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue("exp"), NumberStyles.None, CultureInfo.InvariantCulture, out var exp) ? DateTimeOffset.FromUnixTimeSeconds(exp) : null;

    /// <summary>The slot of a player's join token.</summary>
    public static int? SlotOf(this ClaimsPrincipal user) =>
        int.TryParse(user.FindFirstValue(Slot), NumberStyles.None, CultureInfo.InvariantCulture, out var slot) ? slot : null;

    /// <summary>Whether the caller may watch <paramref name="worldId"/>: read it, its frame and participants, spectate.</summary>
    public static bool CanWatch(this ClaimsPrincipal user, string worldId) =>
        user.IsAdmin() || (user.WorldId() == worldId && (user.IsInRole(Player) || user.IsInRole(Spectator)));

    /// <summary>Whether the caller may act in <paramref name="worldId"/>: step it, join it as a player.</summary>
    public static bool CanPlay(this ClaimsPrincipal user, string worldId) =>
        user.IsAdmin() || (user.WorldId() == worldId && user.IsInRole(Player));
}
