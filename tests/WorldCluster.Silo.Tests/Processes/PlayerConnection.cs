using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using WorldCluster.Contracts;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Processes;

/// <summary>
/// One player's session socket in a process test, kept light enough for dozens at once: per frame only the header's
/// tick, durable tick and digest and the local arrival time (no pixels), and how the socket ended if it did.
/// </summary>
public sealed class PlayerConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Lock _gate = new();
    private readonly List<ReceivedFrame> _frames = [];
    private readonly TimeProvider _time;
    private readonly long _origin;
    private Task? _reader;
    private string? _ended;
    private bool _leaving;

    private PlayerConnection(string worldId, TimeProvider time, long origin)
    {
        WorldId = worldId;
        _time = time;
        _origin = origin;
    }

    /// <summary>The world this player is in.</summary>
    public string WorldId { get; }

    /// <summary>The welcome message (the first text message), once it came.</summary>
    public JsonElement? Welcome { get; private set; }

    /// <summary>Frames received so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedFrame> Frames { get { lock (_gate) { return [.. _frames]; } } }

    /// <summary>How many frames came so far.</summary>
    public int FrameCount { get { lock (_gate) { return _frames.Count; } } }

    /// <summary>Why the socket ended (close status and reason, or the error), or null while it is open.</summary>
    public string? Ended { get { lock (_gate) { return _ended; } } }

    /// <summary>
    /// Joins <paramref name="worldId"/> as a player through the HTTP client's address with its bearer token; arrival
    /// times are <paramref name="time"/>'s elapsed time since <paramref name="origin"/> (a timestamp of the same provider).
    /// </summary>
    public static async Task<PlayerConnection> ConnectAsync(HttpClient http, string worldId, TimeProvider time, long origin)
    {
        var player = new PlayerConnection(worldId, time, origin);
        player._socket.Options.CollectHttpResponseDetails = true;
        if (http.DefaultRequestHeaders.Authorization is { } authorization)
        {
            player._socket.Options.SetRequestHeader("Authorization", authorization.ToString());
        }
        var uri = new UriBuilder(http.BaseAddress!) { Scheme = "ws", Path = $"/api/worlds/{worldId}/session", Query = "role=player" }.Uri;
        try
        {
            await player._socket.ConnectAsync(uri, CancellationToken.None);
        }
        catch (WebSocketException e)
        {
            var status = player._socket.HttpStatusCode;
            player._socket.Dispose();
            throw new InvalidOperationException($"the session for world {worldId} was refused ({status}): {e.Message}", e);
        }
        player._reader = player.ReadAsync();
        return player;
    }

    /// <summary>Sends a text message (an action).</summary>
    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _leaving = true;
        }
        await TestSockets.CloseAndDisposeAsync(_socket, _reader);
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var (type, length) = await TestSockets.ReceiveWholeAsync(_socket, buffer);
                // The arrival time is taken before parsing, so the test's own work does not count as network delay.
                var at = _time.GetElapsedTime(_origin);
                if (type == WebSocketMessageType.Close)
                {
                    End($"closed by the server at {at.TotalSeconds:0.000} s: {_socket.CloseStatus} \"{_socket.CloseStatusDescription}\"");
                    return;
                }
                if (type == WebSocketMessageType.Binary)
                {
                    var frame = FrameMessage.DecodeStream(buffer.AsSpan(0, length));
                    lock (_gate)
                    {
                        _frames.Add(new ReceivedFrame(frame.Tick, frame.DurableTick, frame.StateDigest, at));
                    }
                }
                else
                {
                    var text = JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
                    Welcome ??= text;
                }
            }
            End($"socket {_socket.State} without a close message");
        }
        catch (Exception e) when (e is WebSocketException or InvalidDataException or JsonException)
        {
            End($"socket failed at {_time.GetElapsedTime(_origin).TotalSeconds:0.000} s ({_socket.State}, {_socket.CloseStatus}): {e.Message}");
        }
    }

    private void End(string why)
    {
        lock (_gate)
        {
            // The test's own close at the end is not the server ending the session.
            if (!_leaving)
            {
                _ended ??= why;
            }
        }
    }
}

/// <summary>One frame as a player saw it: the header's tick, durable tick and digest, and when it arrived.</summary>
/// <param name="Tick">The world tick the frame shows.</param>
/// <param name="DurableTick">The latest tick the world said survives a crash.</param>
/// <param name="Digest">The state digest at <paramref name="Tick"/>.</param>
/// <param name="At">Arrival time, since the test's origin.</param>
public readonly record struct ReceivedFrame(long Tick, long DurableTick, string Digest, TimeSpan At);
