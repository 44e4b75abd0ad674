namespace WorldCluster.Silo.Hosting;

/// <summary>Headers on every response that keep the page from being framed, sniffed or made to load anything but its own files.</summary>
public static class SecurityHeaders
{
    /// <summary>The page's content security policy: its own scripts, styles and sessions; frames drawn from blobs and data URLs.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Adds the headers before anything else answers.</summary>
    public static IApplicationBuilder UseWorldClusterSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return next(context);
    });
}
