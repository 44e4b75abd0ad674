using WorldCluster.Abstractions;

namespace WorldCluster.Silo.Api;

/// <summary>RFC 7807 problem results for the API.</summary>
public static class Problems
{
    /// <summary>A problem result with a status, a short title and a detail that says what to fix.</summary>
    public static IResult Create(int status, string title, string detail, string? worldId = null)
    {
        var extensions = worldId is null ? null : new Dictionary<string, object?> { ["worldId"] = worldId };
        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
    }

    /// <summary>Maps a world's refusal to its HTTP status.</summary>
    public static IResult From(WorldRequestException e, string? worldId = null) => e.Kind switch
    {
        WorldErrorKind.BadRequest => Create(StatusCodes.Status400BadRequest, "Invalid request", e.Message, worldId),
        WorldErrorKind.NotFound => Create(StatusCodes.Status404NotFound, "Not found", e.Message, worldId),
        WorldErrorKind.Conflict => Create(StatusCodes.Status409Conflict, "Conflict", e.Message, worldId),
        WorldErrorKind.Unprocessable => Create(StatusCodes.Status422UnprocessableEntity, "World data unusable", e.Message, worldId),
        WorldErrorKind.Unavailable when e.RetryAfterSeconds is { } seconds =>
            new RetryAfterResult(Create(StatusCodes.Status503ServiceUnavailable, "Busy", e.Message, worldId), seconds),
        WorldErrorKind.Unavailable => Create(StatusCodes.Status503ServiceUnavailable, "Busy", e.Message, worldId),
        WorldErrorKind.Forbidden => Create(StatusCodes.Status403Forbidden, "Forbidden", e.Message, worldId),
        WorldErrorKind.ModelFailed => Create(StatusCodes.Status500InternalServerError, "Model failed", e.Message, worldId),
        _ => Create(StatusCodes.Status500InternalServerError, "Unexpected world error", e.Message, worldId),
    };

    // A result with a Retry-After header in front of it.
    private sealed class RetryAfterResult(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
