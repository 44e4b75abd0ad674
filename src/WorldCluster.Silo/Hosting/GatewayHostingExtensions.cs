using System.Threading.RateLimiting;
using Microsoft.Extensions.FileProviders;
using Prometheus;
using WorldCluster.Runtime.Worlds;
using WorldCluster.Silo.Api;
using WorldCluster.Silo.Auth;
using WorldCluster.Silo.Health;
using WorldCluster.Silo.Sessions;

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
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityTransformer>());
        builder.AddWorldClusterAuth();
        var limits = new RateLimitOptions();
        builder.Configuration.GetSection(RateLimitOptions.SectionName).Bind(limits);
        builder.Services.AddRateLimiter(o =>
        {
            // Per client address, fixed windows: a client that floods the API gets 429s; others are unaffected.
            o.AddPolicy(ApiRateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.PermitLimit, Window = limits.Window, QueueLimit = 0 }));
            o.OnRejected = async (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                await Problems.Create(StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"this client may make {limits.PermitLimit} API requests per {limits.Window.TotalSeconds:0} s; retry later")
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
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHttpMetrics();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") });
        app.MapMetrics("/metrics");
        app.MapOpenApi();
        // The web page (wwwroot/) is embedded in the assembly, so it is served whatever directory the host runs in.
        var page = new EmbeddedFileProvider(typeof(GatewayHostingExtensions).Assembly, "WorldCluster.Silo.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = page });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = page, OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache" });
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        app.MapWorldApi();
        app.MapBatchStepApi();
        app.MapWorldSessions();
        return app;
    }
}
