using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using WorldCluster.Contracts;

namespace WorldCluster.Silo.Tests.Fixtures;

/// <summary>A WebSocket session client for tests: collects frames and text messages, sends actions.</summary>
public sealed class SessionClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Lock _gate = new();
    private readonly List<(Frame Header, byte[] Png)> _frames = [];
    private readonly List<StreamFrame> _streamed = [];
    private readonly List<JsonElement> _texts = [];
    private readonly List<(Func<bool> Done, TaskCompletionSource Signal)> _waiters = [];
    private Task? _reader;

    /// <summary>Frames received so far, in arrival order.</summary>
    public IReadOnlyList<(Frame Header, byte[] Png)> Frames { get { lock (_gate) { return [.. _frames]; } } }

    /// <summary>Frames of any format received so far, in arrival order.</summary>
    public IReadOnlyList<StreamFrame> Streamed { get { lock (_gate) { return [.. _streamed]; } } }

    /// <summary>Drops the frames received so far, so a long run keeps the test's own memory flat.</summary>
    public void ForgetFrames()
    {
        lock (_gate)
        {
            _frames.Clear();
            _streamed.Clear();
        }
    }

    /// <summary>Text messages received so far.</summary>
    public IReadOnlyList<JsonElement> Texts { get { lock (_gate) { return [.. _texts]; } } }

    /// <summary>How the server closed the socket, once it has.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>Connects with the HTTP client's address and bearer token; returns the HTTP status when the server refused the upgrade.</summary>
    public static async Task<(SessionClient? Client, HttpStatusCode? Refused)> ConnectAsync(HttpClient http, string worldId, string query, string? origin = null)
    {
        var client = new SessionClient();
        client._socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            client._socket.Options.SetRequestHeader("Origin", origin);
        }
        if (http.DefaultRequestHeaders.Authorization is { } authorization)
        {
            client._socket.Options.SetRequestHeader("Authorization", authorization.ToString());
        }
        var uri = new UriBuilder(http.BaseAddress!) { Scheme = "ws", Path = $"/api/worlds/{worldId}/session", Query = query }.Uri;
        try
        {
            await client._socket.ConnectAsync(uri, CancellationToken.None);
        }
        catch (WebSocketException)
        {
            var status = client._socket.HttpStatusCode;
            client._socket.Dispose();
            return (null, status);
        }
        client._reader = client.ReadAsync();
        return (client, null);
    }

    /// <summary>Sends a text message.</summary>
    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Sends a binary message.</summary>
    public Task SendBinaryAsync(byte[] bytes) =>
        _socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);

    /// <summary>Waits until <paramref name="done"/> holds, or fails after <paramref name="deadline"/>.</summary>
    public Task WaitUntil(Func<SessionClient, bool> done, TimeSpan deadline)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (done(this))
            {
                return Task.CompletedTask;
            }
            _waiters.Add((() => done(this), signal));
        }
        return signal.Task.WaitAsync(deadline);
    }

    /// <summary>Waits until the server has closed the socket.</summary>
    public Task WaitClosed(TimeSpan deadline) => _reader!.WaitAsync(deadline);

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await TestSockets.CloseAndDisposeAsync(_socket, _reader);

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var (type, length) = await TestSockets.ReceiveWholeAsync(_socket, buffer);
                if (type == WebSocketMessageType.Close)
                {
                    break;
                }
                lock (_gate)
                {
                    if (type == WebSocketMessageType.Binary)
                    {
                        var frame = FrameMessage.DecodeStream(buffer.AsSpan(0, length));
                        _streamed.Add(frame);
                        if (frame.Format == FrameMessage.PngFormat)
                        {
                            _frames.Add((new Frame(frame.Tick, frame.DurableTick, frame.StateDigest, frame.Actions, frame.Width, frame.Height, frame.Payload), frame.Payload));
                        }
                    }
                    else
                    {
                        _texts.Add(JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone());
                    }
                    foreach (var w in _waiters.Where(w => w.Done()).ToList())
                    {
                        w.Signal.TrySetResult();
                        _waiters.Remove(w);
                    }
                }
            }
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            lock (_gate)
            {
                foreach (var w in _waiters)
                {
                    w.Signal.TrySetException(new InvalidOperationException($"the socket closed ({_socket.CloseStatus}: {_socket.CloseStatusDescription})"));
                }
            }
        }
    }
}
