using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.IdentityModel.Tokens;
using WorldCluster.Silo.Api;

namespace WorldCluster.Silo.Auth;

/// <summary>Answers refused requests with RFC 7807 problems: 401 with <c>WWW-Authenticate</c>, or 403 saying what is missing.</summary>
public sealed class AuthProblems : IAuthorizationMiddlewareResultHandler
{
    private const string NotYetValid = "the token is not valid yet (its start time is ahead of this gateway's clock); check the clocks or wait";
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    /// <summary>The bearer challenge: a 401 problem that says what is wrong with the token.</summary>
    public static async Task ChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var failure = context.AuthenticateFailure;
        var detail = failure switch
        {
            null when BearerToken.From(context.Request) is null => "a bearer token is required (Authorization: Bearer <token>; docs/security.md)",
            null => "the bearer token was not accepted",
            TokenRevokedException revoked => revoked.Message,
            SecurityTokenNotYetValidException => NotYetValid,
            SecurityTokenInvalidLifetimeException { Expires: var expires } when expires > context.HttpContext.RequestServices
                .GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime => NotYetValid,
            SecurityTokenExpiredException or SecurityTokenInvalidLifetimeException => "the token has expired; get a new one",
            SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the token's signature is not valid (it was not signed by this cluster)",
            SecurityTokenInvalidIssuerException or SecurityTokenInvalidAudienceException => "the token was issued for someone else",
            _ => "the token is malformed or not valid",
        };
        var challenge = failure is null
            ? "Bearer realm=\"worldcluster\""
            : $"Bearer realm=\"worldcluster\", error=\"invalid_token\", error_description=\"{detail}\"";
        context.Response.Headers.WWWAuthenticate = challenge;
        await Problems.Create(StatusCodes.Status401Unauthorized, "Unauthorized", detail).ExecuteAsync(context.HttpContext);
    }

    /// <inheritdoc />
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            var reasons = authorizeResult.AuthorizationFailure?.FailureReasons.Select(r => r.Message).ToList() ?? [];
            var detail = reasons.Count > 0 ? string.Join("; ", reasons) : "this token does not allow this request";
            await Problems.Create(StatusCodes.Status403Forbidden, "Forbidden", detail).ExecuteAsync(context);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
