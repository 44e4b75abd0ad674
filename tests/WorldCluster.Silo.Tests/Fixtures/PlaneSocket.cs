using System.Net.WebSockets;
using WorldCluster.Contracts.Plane;

namespace WorldCluster.Silo.Tests.Fixtures;

/// <summary>An agent plane connection for tests: raw binary messages in and out, every wait with a deadline.</summary>
public sealed class PlaneSocket : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly ClientWebSocket _socket = new();

    /// <summary>How the server closed the socket, once it has.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>The server's close reason, once it closed.</summary>
    public string? CloseReason => _socket.CloseStatusDescription;

    /// <summary>Connects to <c>/api/plane</c> with <paramref name="http"/>'s address and bearer token.</summary>
    public static async Task<PlaneSocket> ConnectAsync(HttpClient http)
    {
        var plane = new PlaneSocket();
        plane._socket.Options.AddSubProtocol(PlaneProtocol.SubProtocol);
        if (http.DefaultRequestHeaders.Authorization is { } authorization)
        {
            plane._socket.Options.SetRequestHeader("Authorization", authorization.ToString());
        }
        using var deadline = new CancellationTokenSource(Deadline);
        await plane._socket.ConnectAsync(new UriBuilder(http.BaseAddress!) { Scheme = "ws", Path = "/api/plane" }.Uri, deadline.Token);
        return plane;
    }

    /// <summary>Sends one message (binary unless <paramref name="type"/> says otherwise).</summary>
    public async Task SendAsync(byte[] message, WebSocketMessageType type = WebSocketMessageType.Binary)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        await _socket.SendAsync(message, type, true, deadline.Token);
    }

    /// <summary>The next message, or null when the server closed the connection instead.</summary>
    public async Task<byte[]?> ReceiveAsync()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var buffer = new byte[PlaneProtocol.MaxMessageSize];
        var length = 0;
        while (true)
        {
            var read = await _socket.ReceiveAsync(buffer.AsMemory(length), deadline.Token);
            if (read.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            length += read.Count;
            if (read.EndOfMessage)
            {
                return buffer[..length];
            }
        }
    }

    /// <summary>Binds env ids 0.. to <paramref name="worlds"/> and returns the server's answer.</summary>
    public async Task<byte[]> BindAsync(uint requestId, params string[] worlds)
    {
        await SendAsync(PlaneBind.Encode(requestId, [.. worlds.Select((w, i) => new PlaneBindEntry(i, w))]));
        return await ReceiveAsync() ?? throw new InvalidOperationException($"the plane closed on a bind: {CloseStatus} {CloseReason}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var deadline = new CancellationTokenSource(Deadline);
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", deadline.Token);
            }
            catch (WebSocketException)
            {
                // The server went first; nothing is left to close.
            }
        }
        _socket.Dispose();
    }
}
