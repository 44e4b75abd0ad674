using Microsoft.AspNetCore.Http.HttpResults;
using WorldCluster.Abstractions;
using WorldCluster.Models.Catalog;
using WorldCluster.Runtime.Worlds;
using WorldCluster.Silo.Auth;
using WorldCluster.Silo.Hosting;
using Wire = WorldCluster.Contracts;

namespace WorldCluster.Silo.Api;

/// <summary>
/// Batch endpoints for agent farms: step or observe many worlds in one request. The worlds' grain calls run concurrently,
/// so each silo's step batcher serves them in as few forward passes as it can.
/// </summary>
public static class BatchStepEndpoints
{
    /// <summary>Most worlds one batch request may name.</summary>
    public const int MaxWorlds = Wire.BatchLimits.MaxWorlds;

    /// <summary>Maps <c>POST /api/steps</c> and <c>POST /api/observations</c>.</summary>
    public static IEndpointRouteBuilder MapBatchStepApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api").RequireRateLimiting(GatewayHostingExtensions.ApiRateLimitPolicy)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            // A batch names many worlds, so no world-scoped token can cover it: agent farms use the admin token they create worlds with.
            .RequireAuthorization(WorldPolicies.Admin);
        api.MapPost("/steps", StepWorlds).WithSummary("Step many on-demand worlds one tick each")
            .WithDescription($"Validates every item first (ids, duplicates, action counts and ranges, on-demand worlds) and refuses the whole batch with a problem if any is wrong; then steps the worlds concurrently. An item that fails while stepping carries an 'error'; the others stepped. At most {MaxWorlds} worlds.")
            .Accepts<Wire.BatchStepBody>("application/json").Produces<Wire.BatchOutcome>().ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/observations", ObserveWorlds).WithSummary("Observe many worlds without stepping them")
            .WithDescription($"The current tick, digest, frame and scores of each world (rewards are zeros). At most {MaxWorlds} worlds.")
            .Accepts<Wire.ObserveBody>("application/json").Produces<Wire.BatchOutcome>();
        return routes;
    }

    private static async Task<IResult> StepWorlds(HttpRequest request, IGrainFactory grains, ModelCatalog catalog, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<Wire.BatchStepBody>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (!Wire.FrameEncodings.TryParse(body!.Frames, out var frames))
        {
            return BadFrames(body.Frames);
        }
        var items = body.Steps;
        if (CheckCount("steps", items?.Length) is { } badCount)
        {
            return badCount;
        }
        var ids = new string[items!.Length];
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i] is not { World: { } world, Actions: { } })
            {
                return Invalid($"steps[{i}] needs 'world' (a world id) and 'actions' (one action per player slot)");
            }
            ids[i] = world;
        }
        if (CheckIds("steps", ids) is { } badIds)
        {
            return badIds;
        }

        // Validate every world before stepping any, so a bad item refuses the whole batch and changes nothing.
        var worlds = ids.Select(id => grains.GetGrain<IWorldGrain>(id)).ToArray();
        var lookups = await Task.WhenAll(worlds.Select(w => Try(w.GetAsync)));
        for (var i = 0; i < items.Length; i++)
        {
            var (info, error) = lookups[i];
            if (error is not null)
            {
                return Problems.From(error, ids[i]);
            }
            if (CheckStep(i, info!, items[i].Actions!, catalog) is { } badStep)
            {
                return badStep;
            }
        }

        var outcomes = await Task.WhenAll(items.Select((item, i) => Outcome(ids[i], () => worlds[i].StepObservedAsync(StepActions.ToRequest(item.Actions!)), frames)));
        return Results.Json(new Wire.BatchOutcome(outcomes), ApiJson.Options);
    }

    private static async Task<IResult> ObserveWorlds(HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<Wire.ObserveBody>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (!Wire.FrameEncodings.TryParse(body!.Frames, out var frames))
        {
            return BadFrames(body.Frames);
        }
        var ids = body.Worlds;
        if ((CheckCount("worlds", ids?.Length) ?? CheckIds("worlds", ids!)) is { } bad)
        {
            return bad;
        }
        var observed = await Task.WhenAll(ids!.Select(id => Try(grains.GetGrain<IWorldGrain>(id).ObserveAsync)));
        for (var i = 0; i < ids!.Length; i++)
        {
            if (observed[i].Error is { } error)
            {
                return Problems.From(error, ids[i]);
            }
        }
        return Results.Json(new Wire.BatchOutcome([.. observed.Select((o, i) => o.Value!.ToOutcome(ids[i], frames))]), ApiJson.Options);
    }

    private static IResult? CheckCount(string member, int? count) => count switch
    {
        null or 0 => Invalid($"'{member}' is required: 1 to {MaxWorlds} worlds"),
        > MaxWorlds => Invalid($"'{member}' names {count} worlds; a batch takes at most {MaxWorlds} (split it)"),
        _ => null,
    };

    private static IResult? CheckIds(string member, string?[] ids)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            if (ids[i] is not { } id || !Wire.WorldId.IsValid(id))
            {
                return Invalid($"{member}[{i}]: '{Truncate(ids[i] ?? "null")}' is not a world id (1-64 characters of a-z, 0-9 and '-')");
            }
            if (!seen.Add(id))
            {
                // Two ticks of one world in one batch would have no defined order.
                return Invalid($"{member}[{i}]: world '{id}' appears more than once; a batch steps each world at most once", id);
            }
        }
        return null;
    }

    private static IResult? CheckStep(int index, WorldInfo info, Wire.PlayerAction[] actions, ModelCatalog catalog)
    {
        if (info.TickHz > 0)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Conflict",
                $"steps[{index}]: world '{info.Id}' ticks in real time at {info.TickHz} Hz; players act through a session", info.Id);
        }
        // A gateway that does not load the model leaves the range check to the world (then it is a per-item error).
        var request = StepActions.ToRequest(actions);
        var wrong = catalog.TryGet(info.Model, out var model)
            ? Wire.ActionWords.Read(request.Actions, request.Json, info.Players, model.Manifest.ActionSpace.ToWire(), out _)
            : request.Actions.Count > 0 ? Wire.ActionCheck.Problem(request.Actions, info.Players, null) : null;
        return wrong is null ? null : Invalid($"steps[{index}]: {wrong}", info.Id);
    }

    private static async Task<Wire.WorldOutcome> Outcome(string id, Func<Task<WorldObservation>> step, Wire.FrameEncoding frames)
    {
        try
        {
            return (await step()).ToOutcome(id, frames);
        }
        catch (WorldRequestException e)
        {
            var problem = (ProblemHttpResult)Problems.From(e, id);
            return new Wire.WorldOutcome(id, Error: new Wire.WorldOutcomeError(problem.StatusCode, problem.ProblemDetails.Title ?? "Error", e.Message));
        }
        catch (TimeoutException)
        {
            return new Wire.WorldOutcome(id, Error: new Wire.WorldOutcomeError(StatusCodes.Status503ServiceUnavailable, "Timed out",
                $"world '{id}' did not answer in time; whether it stepped is unknown (GET /api/worlds/{id} shows its tick)"));
        }
    }

    private static async Task<(T? Value, WorldRequestException? Error)> Try<T>(Func<Task<T>> call)
        where T : class
    {
        try
        {
            return (await call(), null);
        }
        catch (WorldRequestException e)
        {
            return (null, e);
        }
    }

    private static IResult BadFrames(string? frames) =>
        Invalid($"'frames' must be \"raw\", \"png\" or \"none\", not \"{Truncate(frames ?? "")}\"");

    private static IResult Invalid(string detail, string? worldId = null) =>
        Problems.Create(StatusCodes.Status400BadRequest, "Invalid request", detail, worldId);

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
