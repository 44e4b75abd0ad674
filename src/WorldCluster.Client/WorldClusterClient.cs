using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WorldCluster.Contracts;

namespace WorldCluster.Client;

/// <summary>
/// A client for WorldCluster's HTTP and WebSocket API (docs/http-api.md, docs/sessions.md). The <see cref="HttpClient"/>
/// must have a <see cref="HttpClient.BaseAddress"/> (e.g. <c>http://localhost:5080</c>); the caller owns it. Every request
/// carries the bearer token given (docs/security.md): the admin token, an invite, or a join token.
/// Every refusal is thrown as a <see cref="WorldClusterException"/> carrying the server's RFC 7807 problem.
/// </summary>
public sealed class WorldClusterClient
{
    // RFC 6455 §1.3: the server proves it speaks WebSocket by hashing the client's key with this GUID.
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const int MaxPageSize = 1000;

    private readonly HttpClient _http;
    private readonly string? _token;

    /// <summary>Creates a client over an <see cref="HttpClient"/> whose base address is the cluster's, sending <paramref name="token"/> as its bearer token.</summary>
    public WorldClusterClient(HttpClient http, string? token = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("the HttpClient needs a BaseAddress (e.g. http://localhost:5080)", nameof(http));
        }
        _http = http;
        _token = string.IsNullOrWhiteSpace(token) ? null : token.Trim();
    }

    /// <summary>A client over the same connection that sends another token (e.g. a join token for its world).</summary>
    public WorldClusterClient WithToken(string token) => new(_http, token);

    /// <summary>The models the cluster serves.</summary>
    public async Task<IReadOnlyList<ModelInfo>> GetModelsAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, new Uri("api/models", UriKind.Relative), null, cancellationToken);
        return await ReadAsync<ModelInfo[]>(response, cancellationToken);
    }

    /// <summary>Creates a world; a <paramref name="tickHz"/> above 0 makes it tick in real time while a player is present.</summary>
    public async Task<WorldInfo> CreateWorldAsync(string model, long? seed = null, int? players = null, int? tickHz = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        using var response = await SendAsync(HttpMethod.Post, new Uri("api/worlds", UriKind.Relative),
            Json(new CreateWorldBody(model, seed, players, tickHz)), cancellationToken);
        return await ReadAsync<WorldInfo>(response, cancellationToken);
    }

    /// <summary>A world's current tick, digest, durable tick and settings.</summary>
    public async Task<WorldInfo> GetWorldAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, WorldUri(id), null, cancellationToken);
        return await ReadAsync<WorldInfo>(response, cancellationToken);
    }

    /// <summary>The ids of every stored world, in order (all pages).</summary>
    public async Task<IReadOnlyList<string>> ListWorldsAsync(CancellationToken cancellationToken = default)
    {
        var ids = new List<string>();
        string? after = null;
        do
        {
            var page = await ListWorldsPageAsync(MaxPageSize, after, cancellationToken);
            ids.AddRange(page.Worlds);
            after = page.Next;
        }
        while (after is not null);
        return ids;
    }

    /// <summary>One page of world ids: at most <paramref name="limit"/> (server default 100, at most 1000) after the cursor <paramref name="after"/>.</summary>
    public async Task<WorldPage> ListWorldsPageAsync(int? limit = null, string? after = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (limit is not null)
        {
            query.Add($"limit={limit.Value.ToString(CultureInfo.InvariantCulture)}");
        }
        if (after is not null)
        {
            query.Add($"after={Uri.EscapeDataString(after)}");
        }
        var uri = new Uri(query.Count == 0 ? "api/worlds" : $"api/worlds?{string.Join('&', query)}", UriKind.Relative);
        using var response = await SendAsync(HttpMethod.Get, uri, null, cancellationToken);
        return await ReadAsync<WorldPage>(response, cancellationToken);
    }

    /// <summary>Steps an on-demand world by one tick with one action per player slot; answers once the tick is stored.</summary>
    public Task<StepResult> StepAsync(string id, IReadOnlyList<int> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        return StepAsync(id, [.. actions.Select(a => (PlayerAction)a)], cancellationToken);
    }

    /// <summary>Steps an on-demand world of any action space (e.g. <c>PlayerAction.Dict(("keys", PlayerAction.Keys("W")), ("mouse", PlayerAction.Box(4, -2)))</c>); answers once the tick is stored.</summary>
    public async Task<StepResult> StepAsync(string id, IReadOnlyList<PlayerAction> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        using var response = await SendAsync(HttpMethod.Post, WorldUri(id, "/step"), Json(new StepBody([.. actions])), cancellationToken);
        return await ReadAsync<StepResult>(response, cancellationToken);
    }

    /// <summary>Forks a world at a durable tick (the latest when null) into a new world with the same state.</summary>
    public async Task<WorldInfo> ForkAsync(string id, long? atTick = null, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, WorldUri(id, "/fork"), atTick is null ? null : Json(new ForkBody(atTick)), cancellationToken);
        return await ReadAsync<WorldInfo>(response, cancellationToken);
    }

    /// <summary>Deletes a world's head and journal (snapshots shared with forks stay).</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Delete, WorldUri(id), null, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>The world's current frame as PNG bytes.</summary>
    public async Task<byte[]> GetFrameAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, WorldUri(id, "/frame"), null, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary>
    /// Writes an MP4 of ticks <paramref name="fromTick"/>..<paramref name="toTick"/>, rebuilt from the world's journal, to
    /// <paramref name="destination"/> as the server makes it; <paramref name="frames"/> hears the frames received so far
    /// (frame i is tick fromTick + i). <paramref name="lossless"/> asks for video that decodes to the frames bit for bit;
    /// <paramref name="scale"/> enlarges each pixel (server default: 4, or 1 when lossless). Answers the frames written.
    /// </summary>
    public async Task<long> DownloadRecordingAsync(string id, long fromTick, long toTick, Stream destination, bool lossless = false, int? scale = null,
        IProgress<long>? frames = null, CancellationToken cancellationToken = default)
    {
        var query = RecordingQuery(fromTick, toTick) + (lossless ? "&lossless=true" : "")
            + (scale is { } s ? $"&scale={s.ToString(CultureInfo.InvariantCulture)}" : "");
        var counter = new Mp4FragmentCounter();
        await DownloadAsync(WorldUri(id, $"/recording?{query}"), destination, bytes =>
        {
            var before = counter.Fragments;
            counter.Add(bytes.Span);
            if (counter.Fragments != before)
            {
                frames?.Report(counter.Fragments);
            }
        }, cancellationToken);
        return Complete(counter.Fragments, fromTick, toTick, "frames");
    }

    /// <summary>
    /// Writes ticks <paramref name="fromTick"/>..<paramref name="toTick"/> as JSON lines (tick, stateDigest, actions) to
    /// <paramref name="destination"/> as the server replays them; <paramref name="ticks"/> hears the lines so far.
    /// </summary>
    public async Task<long> DownloadRecordingEventsAsync(string id, long fromTick, long toTick, Stream destination,
        IProgress<long>? ticks = null, CancellationToken cancellationToken = default)
    {
        var lines = 0L;
        await DownloadAsync(WorldUri(id, $"/recording/events?{RecordingQuery(fromTick, toTick)}"), destination, bytes =>
        {
            lines += bytes.Span.Count((byte)'\n');
            ticks?.Report(lines);
        }, cancellationToken);
        return Complete(lines, fromTick, toTick, "ticks");
    }

    /// <summary>Who is in a world: players with their slots, and spectators.</summary>
    public async Task<IReadOnlyList<ParticipantInfo>> GetParticipantsAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, WorldUri(id, "/participants"), null, cancellationToken);
        return (await ReadAsync<ParticipantList>(response, cancellationToken)).Participants;
    }

    /// <summary>
    /// Joins a world over HTTP as a player or spectator; the answer's token stands for that participant (a session opened
    /// with it takes the participant over). A participant with no session ends after the world's session timeout (30 s).
    /// </summary>
    public async Task<ParticipantToken> JoinAsync(string id, SessionRole role, string? name = null, int? slot = null, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, WorldUri(id, "/participants"), Json(new JoinBody(RoleName(role), name, slot)), cancellationToken);
        return await ReadAsync<ParticipantToken>(response, cancellationToken);
    }

    /// <summary>Ends a participant (a player's slot becomes free); needs the participant's own token or an admin's.</summary>
    public async Task LeaveAsync(string id, Guid participantId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Delete, WorldUri(id, $"/participants/{participantId}"), null, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>Issues a world-scoped token for a role (admin only), to hand to a player or spectator.</summary>
    public async Task<InviteToken> CreateInviteAsync(string id, SessionRole role, TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
    {
        var body = new InviteBody(RoleName(role), lifetime is { } l ? (long)l.TotalSeconds : null);
        using var response = await SendAsync(HttpMethod.Post, WorldUri(id, "/invites"), Json(body), cancellationToken);
        return await ReadAsync<InviteToken>(response, cancellationToken);
    }

    /// <summary>
    /// Joins a world over a WebSocket as a player (the lowest free slot, or <paramref name="slot"/>) or a spectator, and
    /// waits for the server's welcome. A refused join (unknown world, taken slot, full world) throws
    /// <see cref="WorldClusterException"/> with the server's problem. <paramref name="format"/> picks the frames' encoding
    /// (exact PNG by default, read with <see cref="WorldSession.Frames"/>; any format with <see cref="WorldSession.StreamFrames"/>).
    /// </summary>
    public async Task<WorldSession> ConnectSessionAsync(string id, SessionRole role, string? name = null, int? slot = null,
        StreamFormat format = StreamFormat.Png, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, $"format must be one of {string.Join(", ", StreamFormats.Names)}");
        }
        var query = new StringBuilder("role=").Append(role == SessionRole.Player ? "player" : "spectator");
        if (name is not null)
        {
            query.Append("&name=").Append(Uri.EscapeDataString(name));
        }
        if (slot is not null)
        {
            query.Append("&slot=").Append(slot.Value.ToString(CultureInfo.InvariantCulture));
        }
        query.Append("&format=").Append(format.Name());
        var uri = new Uri(_http.BaseAddress!, new Uri($"api/worlds/{Uri.EscapeDataString(id)}/session?{query}", UriKind.Relative));
        var (socket, response) = await UpgradeAsync(uri, null, cancellationToken);
        try
        {
            return await WorldSession.StartAsync(socket, response, format, cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the agent plane (docs/agent-plane.md): one binary WebSocket that steps many on-demand worlds with packed
    /// arrays. Needs an admin token; a refused upgrade throws <see cref="WorldClusterException"/> with the server's problem.
    /// </summary>
    public async Task<AgentPlaneSession> ConnectAgentPlaneAsync(CancellationToken cancellationToken = default)
    {
        var (socket, response) = await UpgradeAsync(new Uri(_http.BaseAddress!, new Uri("api/plane", UriKind.Relative)),
            Contracts.Plane.PlaneProtocol.SubProtocol, cancellationToken);
        return new AgentPlaneSession(socket, response);
    }

    // The upgrade goes through the caller's HttpClient rather than ClientWebSocket, so that a refusal's problem
    // body (which ClientWebSocket discards) reaches the caller.
    private async Task<(WebSocket Socket, HttpResponseMessage Response)> UpgradeAsync(Uri uri, string? protocol, CancellationToken cancellationToken)
    {
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
        if (protocol is not null)
        {
            request.Headers.Add("Sec-WebSocket-Protocol", protocol);
        }
        Authorize(request);
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
            return (WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) }), response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static string RecordingQuery(long fromTick, long toTick) =>
        $"fromTick={fromTick.ToString(CultureInfo.InvariantCulture)}&toTick={toTick.ToString(CultureInfo.InvariantCulture)}";

    private async Task DownloadAsync(Uri uri, Stream destination, Action<ReadOnlyMemory<byte>> received, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        Authorize(request);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            received(buffer.AsMemory(0, read));
        }
    }

    // The server cuts the response when a later chunk of the range fails: a short recording is an error, never a result.
    private static long Complete(long received, long fromTick, long toTick, string what) =>
        received == toTick - fromTick + 1
            ? received
            : throw new IOException($"the recording ended after {received} of {toTick - fromTick + 1} {what}");

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        Authorize(request);
        return await _http.SendAsync(request, cancellationToken);
    }

    private void Authorize(HttpRequestMessage request)
    {
        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }
    }

    private static JsonContent Json<T>(T body) => JsonContent.Create(body, options: ClientJson.Options);

    private static string RoleName(SessionRole role) => role == SessionRole.Player ? "player" : "spectator";

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
}
