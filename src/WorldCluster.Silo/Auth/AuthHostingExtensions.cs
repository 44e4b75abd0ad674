using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;
using WorldCluster.Silo.Hosting;

namespace WorldCluster.Silo.Auth;

/// <summary>Wires bearer-token authentication and the world policies (docs/security.md).</summary>
public static class AuthHostingExtensions
{
    private const string Selector = "Bearer";
    private const string LocalScheme = "worldcluster";
    private const string OidcScheme = "oidc";

    /// <summary>Adds authentication (the gateway's own key, plus an OIDC authority in <c>oidc</c> mode) and authorization.</summary>
    public static WebApplicationBuilder AddWorldClusterAuth(this WebApplicationBuilder builder)
    {
        var options = new AuthOptions();
        builder.Configuration.GetSection(AuthOptions.SectionName).Bind(options);
        var oidc = options.IsOidc;
        var dataRoot = SiloOptions.DataRoot(builder.Configuration);
        var keyPath = Path.GetFullPath(Path.Combine(dataRoot, options.SigningKeyFile));
        // Read (or create) the key now: a damaged key file stops the host at start, not at the first request.
        var key = new SymmetricSecurityKey(SigningKeyFile.LoadOrCreate(keyPath)) { KeyId = "worldcluster" };

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new AuthPaths(dataRoot, keyPath));
        builder.Services.AddSingleton(sp => new TokenIssuer(key, sp.GetRequiredService<TimeProvider>()));
        if (!oidc)
        {
            builder.Services.AddHostedService<AdminTokenPublisher>();
        }

        var authentication = builder.Services.AddAuthentication(Selector)
            .AddPolicyScheme(Selector, "Bearer token", o => o.ForwardDefaultSelector =
                context => oidc && !BearerToken.IsLocal(BearerToken.From(context.Request)) ? OidcScheme : LocalScheme)
            .AddJwtBearer(LocalScheme, o =>
            {
                o.MapInboundClaims = false;
                o.Events = Events();
                o.Events.OnTokenValidated = TokenRevocation.CheckAsync;
            });
        builder.Services.AddOptions<JwtBearerOptions>(LocalScheme).Configure<TimeProvider>((o, time) =>
        {
            var skew = TimeSpan.FromSeconds(30);
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = WorldClaims.LocalIssuer,
                ValidAudience = WorldClaims.LocalIssuer,
                IssuerSigningKey = key,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                RoleClaimType = WorldClaims.Role,
                NameClaimType = "sub",
                ClockSkew = skew,
                // The host's clock, not the machine's: tests move time instead of sleeping.
                LifetimeValidator = (notBefore, expires, _, _) =>
                {
                    var now = time.GetUtcNow().UtcDateTime;
                    return expires is { } e && e > now - skew && (notBefore is not { } n || n <= now + skew);
                },
            };
        });
        if (oidc)
        {
            authentication.AddJwtBearer(OidcScheme, o =>
            {
                o.Authority = options.Authority;
                o.Audience = options.Audience;
                o.RequireHttpsMetadata = options.RequireHttpsMetadata;
                o.MapInboundClaims = false;
                o.TokenValidationParameters.RoleClaimType = options.RoleClaim;
                o.TokenValidationParameters.NameClaimType = "sub";
                o.Events = Events();
            });
        }

        builder.Services.AddSingleton<IAuthorizationHandler, WorldAccessHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthProblems>();
        builder.Services.AddAuthorizationBuilder().AddWorldPolicies();
        return builder;
    }

    private static JwtBearerEvents Events() => new()
    {
        OnMessageReceived = context =>
        {
            context.Token = BearerToken.From(context.Request);
            return Task.CompletedTask;
        },
        OnChallenge = AuthProblems.ChallengeAsync,
    };
}
