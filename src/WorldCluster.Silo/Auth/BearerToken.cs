using Microsoft.IdentityModel.JsonWebTokens;

namespace WorldCluster.Silo.Auth;

/// <summary>
/// Finds the bearer token of a request: the Authorization header, or on a session upgrade (browsers cannot set headers on a
/// WebSocket) a <c>Sec-WebSocket-Protocol</c> entry <c>worldcluster.token.&lt;token&gt;</c> beside <c>worldcluster</c>
/// (kept out of URLs, which browsers print when a connection fails) or <c>access_token</c> in the query.
/// </summary>
public static class BearerToken
{
    /// <summary>The query parameter a session upgrade may carry its token in.</summary>
    public const string QueryParameter = "access_token";

    /// <summary>The subprotocol a session speaks; offered with <see cref="ProtocolTokenPrefix"/>, the server selects it.</summary>
    public const string Protocol = "worldcluster";

    /// <summary>The prefix of the subprotocol entry that carries a token.</summary>
    public const string ProtocolTokenPrefix = "worldcluster.token.";

    /// <summary><see cref="Protocol"/> when the upgrade offered it (it must then be selected), else null.</summary>
    public static string? SessionProtocol(HttpRequest request) =>
        OfferedProtocols(request).Contains(Protocol) ? Protocol : null;

    /// <summary>The token, or null.</summary>
    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }
        if (!IsSessionUpgrade(request))
        {
            return null;
        }
        if (OfferedProtocols(request).FirstOrDefault(p => p.StartsWith(ProtocolTokenPrefix, StringComparison.Ordinal)) is { } offered)
        {
            return offered[ProtocolTokenPrefix.Length..];
        }
        return request.Query.TryGetValue(QueryParameter, out var token) ? token.ToString() : null;
    }

    private static IEnumerable<string> OfferedProtocols(HttpRequest request) =>
        request.Headers.SecWebSocketProtocol.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

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

    // A world's session, or the agent plane (GET /api/plane): the two WebSockets a browser may open.
    private static bool IsSessionUpgrade(HttpRequest request) =>
        request.Method == HttpMethods.Get && ((request.Path.StartsWithSegments("/api/worlds") && request.Path.Value!.EndsWith("/session", StringComparison.Ordinal))
            || request.Path == "/api/plane");
}
