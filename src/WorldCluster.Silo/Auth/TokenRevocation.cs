using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using WorldCluster.Abstractions;

namespace WorldCluster.Silo.Auth;

/// <summary>
/// Every use of a world-scoped token asks its world whether the token still stands: a join token's participant must still
/// be there (it ends when it leaves, is removed or banned, and with the world's activation), and no token of a banned
/// invite passes. The world grain decides, so the answer is the same on every silo and after restarts (bans are in the head).
/// </summary>
public static class TokenRevocation
{
    /// <summary>Fails the authentication of a revoked token (a 401 that says why).</summary>
    public static async Task CheckAsync(TokenValidatedContext context)
    {
        var user = context.Principal!;
        if (user.WorldId() is not { } worldId || user.IsAdmin() || !Contracts.WorldId.IsValid(worldId))
        {
            return;
        }
        var grains = context.HttpContext.RequestServices.GetRequiredService<IGrainFactory>();
        try
        {
            await grains.GetGrain<IWorldGrain>(worldId).CheckTokenAsync(new TokenCheck(user.ParticipantId(), user.InviteId()));
        }
        catch (WorldRequestException e) when (e.Kind == WorldErrorKind.Forbidden)
        {
            context.Fail(new TokenRevokedException(e.Message));
        }
    }
}

/// <summary>A validly signed token its world no longer honours.</summary>
public sealed class TokenRevokedException(string message) : SecurityTokenException(message);
