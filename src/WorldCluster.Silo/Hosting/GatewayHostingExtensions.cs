using System.Threading.RateLimiting;
using Microsoft.Extensions.FileProviders;
using Prometheus;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Worlds;
using WorldCluster.Silo.Agents;
using WorldCluster.Silo.Api;
using WorldCluster.Silo.Auth;
using WorldCluster.Silo.Health;
using WorldCluster.Silo.Sessions;
using WorldCluster.Silo.Sessions.Streams;

namespace WorldCluster.Silo.Hosting;

/// <summary>Wires the HTTP gateway: problem details, limits, authentication, health, metrics and the API.</summary>
public static class GatewayHostingExtensions
{
    /// <summary>The rate-limit policy applied to <c>/api</c>.</summary>
    public const string ApiRateLimitPolicy = "api";

    /// <summary>Adds the gateway's services.</summary>
    public static WebApplicationBuilder AddWorldClusterGateway(this WebApplicationBuilder builder)
    {
        // Settings first: a gateway that would let its sessions lapse must not start at all.
        var gateway = new GatewayOptions();
        builder.Configuration.GetSection(GatewayOptions.SectionName).Bind(gateway);
        gateway.Validate();
        // The worlds this gateway's sessions talk to run with these limits (on this silo, and across a cluster configured alike).
        var worlds = new WorldOptions();
        builder.Configuration.GetSection(WorldOptions.SectionName).Bind(worlds);
        gateway.ValidateAgainst(worlds.SessionTimeout, worlds.ObserverExpiry);
        builder.Services.AddOptions<GatewayOptions>().Bind(builder.Configuration.GetSection(GatewayOptions.SectionName));
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityTransformer>().AddSchemaTransformer<PlayerActionSchemaTransformer>());
        builder.AddWorldClusterAuth();
        var limits = new RateLimitOptions();
        builder.Configuration.GetSection(RateLimitOptions.SectionName).Bind(limits);
        limits.Validate();
        builder.Services.AddSingleton(limits);
        builder.Services.AddSingleton<WorldCreationQuota>();
        builder.Services.AddSingleton<ApiBudgets>();
        var proxies = new ProxyOptions();
        builder.Configuration.GetSection(ProxyOptions.SectionName).Bind(proxies);
        builder.Services.AddSingleton(proxies.ToForwardedHeaders());
        builder.Services.AddRateLimiter(o =>
        {
            // After authentication: each principal has its own budget, and requests without a valid token share a smaller
            // one per client address, so a stranger's flood (all 401s) never uses up an admin's or a player's.
            o.AddPolicy(ApiRateLimitPolicy, context =>
            {
                var (key, permits) = Partition(context, limits);
                var budgets = context.RequestServices.GetRequiredService<ApiBudgets>();
                return RateLimitPartition.Get(key, k => budgets.For(k, permits));
            });
            o.OnRejected = async (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    // When this window ends, to the second (rounded up: retrying then succeeds).
                    response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                var (_, permits) = Partition(rejected.HttpContext, limits);
                var who = rejected.HttpContext.User.Identity?.IsAuthenticated == true ? "this token" : "requests without a valid token from this address";
                await Problems.Create(StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"{who} may make {permits} API requests per {limits.Window.TotalSeconds:0} s; retry after the Retry-After seconds")
                    .ExecuteAsync(rejected.HttpContext);
            };
        });
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            // Enums as words ("player", "spectator"), as in the session protocol.
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
            // Numbers are numbers, as the API reads them (ApiJson): the OpenAPI document then says so too.
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        builder.Services.AddSingleton<StreamEncoders>();
        builder.Services.AddSingleton<WorldFeeds>();
        builder.Services.AddHealthChecks().AddCheck<SiloReadyHealthCheck>("silo", tags: ["ready"]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The API reads at most ApiJson.MaxBodyBytes; this is the outer wall for everything else.
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        return builder;
    }

    /// <summary>Maps health, metrics, the web page and the API.</summary>
    public static WebApplication MapWorldClusterGateway(this WebApplication app)
    {
        var forwarded = app.Services.GetRequiredService<ForwardedHeadersOptions>();
        if (forwarded.KnownProxies.Count > 0 || forwarded.KnownIPNetworks.Count > 0)
        {
            // First, so the client address every later step sees is the one a trusted proxy forwarded.
            app.UseForwardedHeaders(forwarded);
        }
        app.UseWorldClusterRequestLog();
        app.UseWorldClusterSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHttpMetrics();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") });
        app.MapGet("/metrics", ExportMetrics).ExcludeFromDescription();
        app.MapOpenApi();
        // The web page (wwwroot/) is embedded in the assembly, so it is served whatever directory the host runs in.
        var page = new EmbeddedFileProvider(typeof(GatewayHostingExtensions).Assembly, "WorldCluster.Silo.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = page });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = page, OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache" });
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        app.MapWorldApi();
        app.MapBatchStepApi();
        app.MapRecordingApi();
        app.MapWorldSessions();
        app.MapAgentPlane();
        return app;
    }

    /// <summary>The budget a request counts against: its principal's, or its client address's for requests without a valid token.</summary>
    // The process-wide registry (runtime, HTTP, Orleans meters) and then this silo's own instruments.
    private static async Task ExportMetrics(HttpContext context, SiloMetricsRegistry metrics)
    {
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await metrics.ExportAsTextAsync(context.Response.Body, context.RequestAborted);
    }

    internal static (string Key, int Permits) Partition(HttpContext context, RateLimitOptions limits)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return ($"address:{context.Connection.RemoteIpAddress?.ToString() ?? "unknown"}", limits.AnonymousPermitLimit);
        }
        var principal = user.WorldId() is { } world
            ? $"world:{world}:{user.ParticipantId()?.ToString() ?? user.FindFirst("jti")?.Value}"
            : $"{user.FindFirst(WorldClaims.Role)?.Value ?? "user"}:{user.FindFirst("sub")?.Value}:{user.FindFirst("iss")?.Value}";
        return ($"principal:{principal}", limits.PermitLimit);
    }
}
