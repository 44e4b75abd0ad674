using System.Security.Cryptography;
using WorldCluster.Abstractions;
using WorldCluster.Models.Catalog;
using WorldCluster.Models.Frames;
using WorldCluster.Models.Packages;
using WorldCluster.Runtime.Placement;
using WorldCluster.Runtime.Storage;
using WorldCluster.Silo.Auth;
using Wire = WorldCluster.Contracts;

namespace WorldCluster.Silo.Api;

/// <summary>The HTTP API for models and worlds.</summary>
public static class WorldEndpoints
{
    /// <summary>Page size of <c>GET /api/worlds</c> when the request names none.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The largest page <c>GET /api/worlds</c> returns.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Maps <c>/api/models</c> and <c>/api/worlds</c>.</summary>
    public static IEndpointRouteBuilder MapWorldApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api").RequireRateLimiting(Hosting.GatewayHostingExtensions.ApiRateLimitPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/models", (ModelCatalog catalog) => Results.Ok(catalog.All.Select(m => m.Manifest.ToWire())))
            .WithSummary("The models this silo serves").Produces<Wire.ModelInfo[]>().RequireAuthorization(WorldPolicies.Any);
        api.MapGet("/models/failed", (ModelLoadReport report) => Results.Ok(report.Failures))
            .WithSummary("Model packages this silo found but could not load, with the reason").Produces<ModelLoadFailure[]>()
            .RequireAuthorization(WorldPolicies.Any);

        var worlds = api.MapGroup("/worlds").ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        worlds.MapPost("/", CreateWorld).WithSummary("Create a world").RequireAuthorization(WorldPolicies.Admin)
            .AddEndpointFilter(Hosting.WorldCreationQuota.FilterAsync).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .Accepts<Wire.CreateWorldBody>("application/json").Produces<Wire.WorldInfo>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        worlds.MapGet("/", ListWorlds).WithSummary("List world ids, a page at a time (?limit=N&after=<cursor>)")
            .RequireAuthorization(WorldPolicies.Any).Produces<Wire.WorldPage>();
        worlds.MapGet("/{id}", GetWorld).WithSummary("A world's tick, digest and settings").Produces<Wire.WorldInfo>()
            .RequireAuthorization(WorldPolicies.Watch).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        worlds.MapDelete("/{id}", DeleteWorld).WithSummary("Delete a world").Produces(StatusCodes.Status204NoContent)
            .RequireAuthorization(WorldPolicies.Admin);
        worlds.MapPost("/{id}/step", StepWorld).WithSummary("Step an on-demand world one tick").RequireAuthorization(WorldPolicies.Play)
            .Accepts<Wire.StepBody>("application/json").Produces<Wire.StepResult>()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        worlds.MapGet("/{id}/frame", GetFrame).WithSummary("The current frame as PNG").Produces(StatusCodes.Status200OK, contentType: "image/png")
            .RequireAuthorization(WorldPolicies.Watch);
        worlds.MapPost("/{id}/fork", ForkWorld).WithSummary("Fork a world at a durable tick").RequireAuthorization(WorldPolicies.Admin)
            .AddEndpointFilter(Hosting.WorldCreationQuota.FilterAsync)
            .Accepts<Wire.ForkBody>("application/json").Produces<Wire.WorldInfo>(StatusCodes.Status201Created);
        worlds.MapPost("/{id}/migrate", MigrateWorld).WithSummary("Move a world to another silo (at a tick boundary, every tick durable)")
            .RequireAuthorization(WorldPolicies.Admin).Accepts<Wire.MigrateBody>("application/json").Produces<Wire.WorldInfo>()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        worlds.MapGet("/{id}/participants", GetParticipants).WithSummary("Who is in a world").Produces<Wire.ParticipantList>().RequireAuthorization(WorldPolicies.Watch);
        worlds.MapParticipantApi();
        return routes;
    }

    private static async Task<IResult> CreateWorld(HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<Wire.CreateWorldBody>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (string.IsNullOrWhiteSpace(body!.Model))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid request", "'model' is required (see GET /api/models)");
        }
        var seed = body.Seed ?? RandomNumberGenerator.GetInt32(int.MaxValue);
        var id = Wire.WorldId.New();
        // Placement happens before the world knows its model: tell it through the request context.
        RequestContext.Set(ModelAwarePlacement.ModelKey, body.Model);
        try
        {
            var info = await grains.GetGrain<IWorldGrain>(id).CreateAsync(new CreateWorldRequest(body.Model, seed, body.Players, body.TickHz));
            return Results.Created($"/api/worlds/{id}", info.ToWire());
        }
        catch (WorldRequestException e)
        {
            // No world came to be: the refusal names no world id (the one drawn for it would only answer 404).
            return Problems.From(e);
        }
    }

    private static async Task<IResult> ListWorlds(IWorldStore store, HttpRequest request, CancellationToken cancellationToken)
    {
        var limit = DefaultPageSize;
        if (request.Query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit)
                || limit < 1 || limit > MaxPageSize))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid limit", $"'limit' must be a whole number from 1 to {MaxPageSize}");
        }
        var after = request.Query["after"].ToString();
        if (after.Length > 0 && !Wire.WorldId.IsValid(after))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid cursor", "'after' must be the 'next' value of the previous page (a world id)");
        }
        // Ids sort in ordinal order and the cursor is the last id of a page: paging is stable while worlds come and go.
        var ids = new List<string>();
        await foreach (var id in store.ListWorldsAsync(cancellationToken))
        {
            if (after.Length == 0 || string.CompareOrdinal(id, after) > 0)
            {
                ids.Add(id);
            }
        }
        ids.Sort(StringComparer.Ordinal);
        var page = ids.Take(limit).ToList();
        return Results.Ok(new Wire.WorldPage(page, ids.Count > limit ? page[^1] : null));
    }

    private static Task<IResult> GetWorld(string id, IGrainFactory grains) =>
        CallWorld(id, async grain => Results.Ok((await grain.GetAsync()).ToWire()), grains);

    private static Task<IResult> DeleteWorld(string id, IGrainFactory grains) =>
        CallWorld(id, async grain =>
        {
            await grain.DeleteAsync();
            return Results.NoContent();
        }, grains);

    private static async Task<IResult> StepWorld(string id, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (!Wire.WorldId.IsValid(id))
        {
            return InvalidId(id);
        }
        var (body, problem) = await JsonBody.ReadAsync<Wire.StepBody>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        if (body!.Actions is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Invalid request", "'actions' is required: one action per player slot", id);
        }
        return await CallWorld(id, async grain => Results.Ok((await grain.StepAsync(StepActions.ToRequest(body.Actions))).ToWire()), grains);
    }

    private static async Task<IResult> ForkWorld(string id, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (!Wire.WorldId.IsValid(id))
        {
            return InvalidId(id);
        }
        long? atTick = null;
        // The body is optional: an empty POST forks at the latest tick.
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var (body, problem) = await JsonBody.ReadAsync<Wire.ForkBody>(request, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }
            atTick = body!.AtTick;
        }
        var forkId = Wire.WorldId.New();
        return await CallWorld(id, async grain =>
        {
            var info = await grain.ForkAsync(new ForkRequest(forkId, atTick));
            return Results.Created($"/api/worlds/{forkId}", info.ToWire());
        }, grains);
    }

    private static async Task<IResult> MigrateWorld(string id, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (!Wire.WorldId.IsValid(id))
        {
            return InvalidId(id);
        }
        string? silo = null;
        // The body is optional: without one, placement chooses among the other silos that serve the world's model.
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var (body, problem) = await JsonBody.ReadAsync<Wire.MigrateBody>(request, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }
            if (body!.Silo is { } named && string.IsNullOrWhiteSpace(named))
            {
                return Problems.Create(StatusCodes.Status400BadRequest, "Invalid request", "'silo' names a silo as a world's 'silo' shows it, or is left out", id);
            }
            silo = body.Silo;
        }
        return await CallWorld(id, async grain =>
        {
            var left = await grain.MigrateAsync(new MigrateRequest(silo));
            // The move happens as the call above returns; this call reaches the activation on the new silo.
            var info = await grain.GetAsync();
            return info.Silo == left
                ? Problems.Create(StatusCodes.Status503ServiceUnavailable, "Migration did not complete",
                    $"world '{id}' is still on {left} (the target did not take it); retry", id)
                : Results.Ok(info.ToWire());
        }, grains);
    }

    private static Task<IResult> GetParticipants(string id, IGrainFactory grains) =>
        CallWorld(id, async grain => Results.Ok(new Wire.ParticipantList([.. (await grain.GetParticipantsAsync()).Select(p => p.ToWire())])), grains);

    private static Task<IResult> GetFrame(string id, HttpResponse response, IGrainFactory grains) =>
        CallWorld(id, async grain =>
        {
            var frame = await grain.GetFrameAsync();
            response.Headers["X-World-Tick"] = frame.Tick.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers.CacheControl = "no-store";
            return Results.File(PngEncoder.Encode(frame.Pixels, frame.Channels, frame.Height, frame.Width), "image/png");
        }, grains);

    private static Task<IResult> CallWorld(string id, Func<IWorldGrain, Task<IResult>> call, IGrainFactory grains) =>
        Wire.WorldId.IsValid(id) ? Call(id, () => call(grains.GetGrain<IWorldGrain>(id))) : Task.FromResult(InvalidId(id));

    private static async Task<IResult> Call(string id, Func<Task<IResult>> call)
    {
        try
        {
            return await call();
        }
        catch (WorldRequestException e)
        {
            return Problems.From(e, id);
        }
    }

    /// <summary>The 400 problem for a malformed world id.</summary>
    public static IResult InvalidId(string id) =>
        Problems.Create(StatusCodes.Status400BadRequest, "Invalid world id",
            $"'{Truncate(id)}' is not a world id (1-64 characters of a-z, 0-9 and '-')");

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
