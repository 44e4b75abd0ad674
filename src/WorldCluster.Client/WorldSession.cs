using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using WorldCluster.Contracts;

namespace WorldCluster.Client;

/// <summary>
/// A live WebSocket session on a world (docs/sessions.md): every frame in tick order through <see cref="Frames"/>, and a
/// player's actions through <see cref="SendActionAsync(PlayerAction, CancellationToken)"/>. Read frames steadily: a client that falls 64 frames behind
/// is disconnected by the server, and <see cref="Frames"/> then throws <see cref="WorldSessionClosedException"/>.
/// </summary>
public sealed class WorldSession : IAsyncDisposable
{
    private const int MaxMessageBytes = 16 << 20;

    private readonly WebSocket _socket;
    private readonly HttpResponseMessage _response;
    // Bounded so that a consumer that stops reading stops this reader too, and the server's slow-client rule applies.
    private readonly Channel<Frame> _frames = Channel.CreateBounded<Frame>(new BoundedChannelOptions(256)
    {
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;
    private volatile bool _disposing;
    private int _disposed;

    private WorldSession(WebSocket socket, HttpResponseMessage response, SessionWelcome welcome)
    {
        _socket = socket;
        _response = response;
        Welcome = welcome;
    }

    /// <summary>The server's welcome: world, role, slot, player slots and tick rate.</summary>
    public SessionWelcome Welcome { get; }

    /// <summary>Error messages the server sent about refused client messages so far (the session goes on after each).</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    /// <summary>How the server closed the session, once it has.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>
    /// The frames received, in tick order and without gaps while connected; ends when the server closes the session
    /// normally and throws <see cref="WorldSessionClosedException"/> when it ends it for a reason. Enumerate it once.
    /// </summary>
    public IAsyncEnumerable<Frame> Frames(CancellationToken cancellationToken = default) => _frames.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Sends a player's action for the next tick (the latest action since the previous tick is merged).</summary>
    public Task SendActionAsync(int action, CancellationToken cancellationToken = default) => SendActionAsync((PlayerAction)action, cancellationToken);

    /// <summary>Sends a player's action in any action space; a structured one merges it by each component's rule (docs/sessions.md).</summary>
    public async Task SendActionAsync(PlayerAction action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (Welcome.Slot is null)
        {
            throw new InvalidOperationException("spectators cannot act; join as a player");
        }
        var message = JsonSerializer.SerializeToUtf8Bytes(new ActionMessage(action), ClientJson.Options);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Closes the session (the server frees a player's slot) and releases the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _disposing = true;
        await _stop.CancelAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _sendLock.WaitAsync(timeout.Token);
                try
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            // The reader ends when the server's close arrives.
            await _reader.WaitAsync(timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            _socket.Abort();
        }
        await _reader.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _socket.Dispose();
        _response.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }

    internal static async Task<WorldSession> StartAsync(WebSocket socket, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var buffer = new byte[64 * 1024];
            (var type, buffer, var length) = await ReceiveAsync(socket, buffer, cancellationToken);
            if (type == WebSocketMessageType.Close)
            {
                throw new WorldSessionClosedException(socket.CloseStatus, socket.CloseStatusDescription);
            }
            var welcome = type == WebSocketMessageType.Text ? ParseWelcome(buffer.AsSpan(0, length)) : null;
            if (welcome is null)
            {
                throw new InvalidDataException("the server's first session message was not a welcome");
            }
            var session = new WorldSession(socket, response, welcome);
            session._reader = session.ReadAsync(buffer);
            return session;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task ReadAsync(byte[] buffer)
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                (var type, buffer, var length) = await ReceiveAsync(_socket, buffer, CancellationToken.None);
                if (type == WebSocketMessageType.Close)
                {
                    break;
                }
                if (type == WebSocketMessageType.Text)
                {
                    if (ParseError(buffer.AsSpan(0, length)) is { } error)
                    {
                        _errors.Enqueue(error);
                    }
                    continue;
                }
                var frame = Frame.Decode(buffer.AsSpan(0, length));
                if (_disposing)
                {
                    continue;
                }
                try
                {
                    await _frames.Writer.WriteAsync(frame, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    // Disposing: keep reading until the server's close arrives.
                }
            }
            if (_socket.CloseStatus is { } status && status != WebSocketCloseStatus.NormalClosure && !_disposing)
            {
                failure = new WorldSessionClosedException(status, _socket.CloseStatusDescription);
            }
            await AnswerCloseAsync();
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            if (!_disposing)
            {
                failure = new WorldSessionClosedException($"the session's connection broke: {e.Message}", e);
            }
        }
        catch (Exception e) when (e is InvalidDataException or JsonException)
        {
            failure = e;
            _socket.Abort();
        }
        finally
        {
            _frames.Writer.TryComplete(failure);
        }
    }

    // Completes the close handshake the server started, so the server's socket ends cleanly.
    private async Task AnswerCloseAsync()
    {
        if (_socket.State != WebSocketState.CloseReceived || _disposing)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _sendLock.WaitAsync(timeout.Token);
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The session is over either way; a close the server never hears only costs it a timeout.
        }
    }

    // Reads one whole message, growing the buffer as needed (up to MaxMessageBytes).
    private static async Task<(WebSocketMessageType Type, byte[] Buffer, int Length)> ReceiveAsync(WebSocket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= MaxMessageBytes)
                {
                    throw new InvalidDataException($"a session message exceeded {MaxMessageBytes} bytes");
                }
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
            length += result.Count;
        }
        while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
        return (result.MessageType, buffer, length);
    }

    private static SessionWelcome? ParseWelcome(ReadOnlySpan<byte> text)
    {
        var message = JsonSerializer.Deserialize<TextMessage>(text, ClientJson.Options);
        return message?.Type == SessionMessageTypes.Welcome ? JsonSerializer.Deserialize<SessionWelcome>(text, ClientJson.Options) : null;
    }

    private static string? ParseError(ReadOnlySpan<byte> text)
    {
        var message = JsonSerializer.Deserialize<TextMessage>(text, ClientJson.Options);
        return message?.Type == SessionMessageTypes.Error ? message.Message ?? "error" : null;
    }

    private sealed record TextMessage(string? Type, string? Message);
}
