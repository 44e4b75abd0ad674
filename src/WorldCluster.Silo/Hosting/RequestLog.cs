using System.Diagnostics;

namespace WorldCluster.Silo.Hosting;

/// <summary>
/// The gateway's request log (category <c>WorldCluster.Requests</c>, off unless set to <c>Information</c>): one line per
/// request with method, path, query and status, the query's <c>access_token</c> redacted. ASP.NET's own request lines
/// (<c>Microsoft.AspNetCore.Hosting.Diagnostics</c>) print query strings as they are, so they are held at Warning.
/// </summary>
public static class RequestLog
{
    /// <summary>The log category.</summary>
    public const string Category = "WorldCluster.Requests";

    /// <summary>What a redacted query value reads.</summary>
    public const string Redacted = "redacted";

    /// <summary>Logs every request after it is answered, when the category is enabled.</summary>
    public static IApplicationBuilder UseWorldClusterRequestLog(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        return app.Use(async (context, next) =>
        {
            if (!logger.IsEnabled(LogLevel.Information))
            {
                await next(context);
                return;
            }
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                logger.LogInformation("{Method} {Path}{Query} {Status} in {Milliseconds:0.0} ms", context.Request.Method, context.Request.Path,
                    Redact(context.Request.QueryString), context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
    }

    /// <summary>The query string with every <c>access_token</c> value replaced by <see cref="Redacted"/>.</summary>
    public static string Redact(QueryString query)
    {
        if (!query.HasValue)
        {
            return "";
        }
        var parts = query.Value![1..].Split('&');
        for (var i = 0; i < parts.Length; i++)
        {
            var name = parts[i].Split('=', 2)[0];
            if (Uri.UnescapeDataString(name).Equals(Auth.BearerToken.QueryParameter, StringComparison.OrdinalIgnoreCase))
            {
                parts[i] = $"{name}={Redacted}";
            }
        }
        return "?" + string.Join('&', parts);
    }
}
