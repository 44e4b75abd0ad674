using Microsoft.IdentityModel.JsonWebTokens;

namespace WorldCluster.Silo.Auth;

/// <summary>Finds the bearer token of a request: the Authorization header, or <c>access_token</c> on a session upgrade (browsers cannot set headers on a WebSocket).</summary>
public static class BearerToken
{
    /// <summary>The query parameter a session upgrade may carry its token in.</summary>
    public const string QueryParameter = "access_token";

    /// <summary>The token, or null.</summary>
    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }
        return IsSessionUpgrade(request) && request.Query.TryGetValue(QueryParameter, out var token) ? token.ToString() : null;
    }

    /// <summary>Whether a token (unchecked) names the gateway itself as its issuer.</summary>
    public static bool IsLocal(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return true;
        }
        try
        {
            return new JsonWebToken(token).Issuer == WorldClaims.LocalIssuer;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    private static bool IsSessionUpgrade(HttpRequest request) =>
        request.Method == HttpMethods.Get && request.Path.StartsWithSegments("/api/worlds") && request.Path.Value!.EndsWith("/session", StringComparison.Ordinal);
}
