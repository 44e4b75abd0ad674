namespace WorldCluster.Silo.Sessions;

/// <summary>
/// Whether a session upgrade's <c>Origin</c> may open a session: none (not a browser), the gateway's own host, or one of
/// <see cref="GatewayOptions.AllowedOrigins"/>. Browsers send cookies and query tokens from any page that opens a socket;
/// this keeps other sites' pages from driving sessions.
/// </summary>
internal static class SessionOrigin
{
    /// <summary>True when the request may open a session.</summary>
    public static bool IsAllowed(HttpRequest request, GatewayOptions options)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return false;
        }
        // Same host (and port) as the request: the gateway's own page, whichever scheme a proxy terminated.
        if (string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        return options.AllowedOrigins.Any(allowed => string.Equals(allowed.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
    }
}
