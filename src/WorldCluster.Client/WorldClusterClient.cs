using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace WorldCluster.Client;

/// <summary>
/// A client for WorldCluster's HTTP and WebSocket API (docs/http-api.md, docs/sessions.md). The <see cref="HttpClient"/>
/// must have a <see cref="HttpClient.BaseAddress"/> (e.g. <c>http://localhost:5080</c>); the caller owns it.
/// Every refusal is thrown as a <see cref="WorldClusterException"/> carrying the server's RFC 7807 problem.
/// </summary>
public sealed class WorldClusterClient
{
    // RFC 6455 §1.3: the server proves it speaks WebSocket by hashing the client's key with this GUID.
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private readonly HttpClient _http;

    /// <summary>Creates a client over an <see cref="HttpClient"/> whose base address is the cluster's.</summary>
    public WorldClusterClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("the HttpClient needs a BaseAddress (e.g. http://localhost:5080)", nameof(http));
        }
        _http = http;
    }

    /// <summary>The models the cluster serves.</summary>
    public async Task<IReadOnlyList<ModelInfo>> GetModelsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(new Uri("api/models", UriKind.Relative), cancellationToken);
        return await ReadAsync<ModelInfo[]>(response, cancellationToken);
    }

    /// <summary>Creates a world; a <paramref name="tickHz"/> above 0 makes it tick in real time while a player is present.</summary>
    public async Task<WorldInfo> CreateWorldAsync(string model, long? seed = null, int? players = null, int? tickHz = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        using var response = await _http.PostAsJsonAsync(new Uri("api/worlds", UriKind.Relative),
            new CreateWorldBody(model, seed, players, tickHz), ClientJson.Options, cancellationToken);
        return await ReadAsync<WorldInfo>(response, cancellationToken);
    }

    /// <summary>A world's current tick, digest, durable tick and settings.</summary>
    public async Task<WorldInfo> GetWorldAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(WorldUri(id), cancellationToken);
        return await ReadAsync<WorldInfo>(response, cancellationToken);
    }

    /// <summary>The ids of every stored world, in order.</summary>
    public async Task<IReadOnlyList<string>> ListWorldsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(new Uri("api/worlds", UriKind.Relative), cancellationToken);
        return (await ReadAsync<WorldList>(response, cancellationToken)).Worlds;
    }

    /// <summary>Steps an on-demand world by one tick with one action per player slot; answers once the tick is stored.</summary>
    public async Task<StepResult> StepAsync(string id, IReadOnlyList<int> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        using var response = await _http.PostAsJsonAsync(WorldUri(id, "/step"), new StepBody(actions), ClientJson.Options, cancellationToken);
        return await ReadAsync<StepResult>(response, cancellationToken);
    }

    /// <summary>Forks a world at a durable tick (the latest when null) into a new world with the same state.</summary>
    public async Task<WorldInfo> ForkAsync(string id, long? atTick = null, CancellationToken cancellationToken = default)
    {
        using var content = atTick is null ? null : JsonContent.Create(new ForkBody(atTick), options: ClientJson.Options);
        using var response = await _http.PostAsync(WorldUri(id, "/fork"), content, cancellationToken);
        return await ReadAsync<WorldInfo>(response, cancellationToken);
    }

    /// <summary>Deletes a world's head and journal (snapshots shared with forks stay).</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync(WorldUri(id), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>The world's current frame as PNG bytes.</summary>
    public async Task<byte[]> GetFrameAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(WorldUri(id, "/frame"), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary>Who is in a world: players with their slots, and spectators.</summary>
    public async Task<IReadOnlyList<ParticipantInfo>> GetParticipantsAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(WorldUri(id, "/participants"), cancellationToken);
        return (await ReadAsync<ParticipantList>(response, cancellationToken)).Participants;
    }

    /// <summary>
    /// Joins a world over a WebSocket as a player (the lowest free slot, or <paramref name="slot"/>) or a spectator, and
    /// waits for the server's welcome. A refused join (unknown world, taken slot, full world) throws
    /// <see cref="WorldClusterException"/> with the server's problem.
    /// </summary>
    public async Task<WorldSession> ConnectSessionAsync(string id, SessionRole role, string? name = null, int? slot = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var query = new StringBuilder("role=").Append(role == SessionRole.Player ? "player" : "spectator");
        if (name is not null)
        {
            query.Append("&name=").Append(Uri.EscapeDataString(name));
        }
        if (slot is not null)
        {
            query.Append("&slot=").Append(slot.Value.ToString(CultureInfo.InvariantCulture));
        }
        var uri = new Uri(_http.BaseAddress!, new Uri($"api/worlds/{Uri.EscapeDataString(id)}/session?{query}", UriKind.Relative));

        // The upgrade goes through the caller's HttpClient rather than ClientWebSocket, so that a refusal's problem
        // body (which ClientWebSocket discards) reaches the caller.
        using var request = new HttpRequestMessage(HttpMethod.Get, uri)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", key);
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
            {
                await EnsureSuccessAsync(response, cancellationToken);
                throw new WorldClusterException(new WorldClusterProblem((int)response.StatusCode, "No WebSocket upgrade",
                    $"the server answered {(int)response.StatusCode} instead of switching to a WebSocket"));
            }
            if (!response.Headers.TryGetValues("Sec-WebSocket-Accept", out var accept) || accept.SingleOrDefault() != AcceptFor(key))
            {
                throw new WebSocketException(WebSocketError.HeaderError, "the server's Sec-WebSocket-Accept does not match the key sent");
            }
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
            return await WorldSession.StartAsync(socket, response, cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    // The handshake hash is fixed by RFC 6455; SHA-1 here is not used for security.
#pragma warning disable CA5350
    private static string AcceptFor(string key) => Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
#pragma warning restore CA5350

    private static Uri WorldUri(string id, string suffix = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return new Uri($"api/worlds/{Uri.EscapeDataString(id)}{suffix}", UriKind.Relative);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(ClientJson.Options, cancellationToken)
            ?? throw new WorldClusterException(new WorldClusterProblem((int)response.StatusCode, "Empty answer", $"expected a JSON {typeof(T).Name}"));
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        WorldClusterProblem problem;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            problem = new WorldClusterProblem(
                root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var s) && s.TryGetInt32(out var st) ? st : status,
                Text(root, "title") ?? response.ReasonPhrase,
                Text(root, "detail"),
                Text(root, "worldId"),
                Text(root, "type"));
        }
        catch (JsonException)
        {
            // Not a problem body (a proxy's error page, say): keep what there is.
            problem = new WorldClusterProblem(status, response.ReasonPhrase, body.Length > 500 ? body[..500] : body);
        }
        throw new WorldClusterException(problem);
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private sealed record CreateWorldBody(string Model, long? Seed, int? Players, int? TickHz);

    private sealed record StepBody(IReadOnlyList<int> Actions);

    private sealed record ForkBody(long? AtTick);

    private sealed record WorldList(string[] Worlds);

    private sealed record ParticipantList(ParticipantInfo[] Participants);
}
