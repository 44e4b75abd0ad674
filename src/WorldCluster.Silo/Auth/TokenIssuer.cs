using System.Globalization;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace WorldCluster.Silo.Auth;

/// <summary>Signs the gateway's own tokens (admin, invite, join) with its key; expiry comes from the <see cref="TimeProvider"/>.</summary>
public sealed class TokenIssuer(SymmetricSecurityKey key, TimeProvider time)
{
    private readonly SigningCredentials _credentials = new(key, SecurityAlgorithms.HmacSha256);
    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>The key tokens are signed and checked with.</summary>
    public SymmetricSecurityKey Key => key;

    /// <summary>A token for an admin.</summary>
    public IssuedToken Admin(TimeSpan lifetime) =>
        Issue(lifetime, new Dictionary<string, object> { [WorldClaims.Role] = WorldClaims.Admin, ["sub"] = "admin" });

    /// <summary>A token that lets its holder watch (spectator) or also play (player) one world, and join it in that role.</summary>
    public IssuedToken Invite(string worldId, string role, TimeSpan lifetime) =>
        Issue(lifetime, new Dictionary<string, object> { [WorldClaims.Role] = role, [WorldClaims.World] = worldId, ["sub"] = $"invite:{worldId}" });

    /// <summary>The token a join returns: one participant of one world, minted from <paramref name="invite"/> (null: an admin's join).</summary>
    public IssuedToken Participant(string worldId, string role, Guid participantId, int? slot, string? invite, TimeSpan lifetime)
    {
        var claims = new Dictionary<string, object>
        {
            [WorldClaims.Role] = role,
            [WorldClaims.World] = worldId,
            [WorldClaims.Participant] = participantId.ToString(),
            ["sub"] = participantId.ToString(),
        };
        if (invite is not null)
        {
            claims[WorldClaims.Invite] = invite;
        }
        if (slot is { } s)
        {
            claims[WorldClaims.Slot] = s.ToString(CultureInfo.InvariantCulture);
        }
        return Issue(lifetime, claims);
    }

    private IssuedToken Issue(TimeSpan lifetime, Dictionary<string, object> claims)
    {
        var now = time.GetUtcNow();
        var expires = now + lifetime;
        claims["jti"] = Guid.NewGuid().ToString("N");
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = WorldClaims.LocalIssuer,
            Audience = WorldClaims.LocalIssuer,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = claims,
            SigningCredentials = _credentials,
        });
        return new IssuedToken(token, expires);
    }
}

/// <summary>A signed token and when it stops working.</summary>
public sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt);
