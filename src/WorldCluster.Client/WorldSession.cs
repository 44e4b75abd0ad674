using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using WorldCluster.Contracts;

namespace WorldCluster.Client;

/// <summary>
/// A live WebSocket session on a world (docs/sessions.md): every frame in tick order through <see cref="Frames"/> (PNG) or
/// <see cref="StreamFrames"/> (any <see cref="StreamFormat"/>), and a player's actions through
/// <see cref="SendActionAsync(PlayerAction, CancellationToken)"/>. Read frames steadily: a PNG client that falls 64 frames
/// behind is disconnected by the server (a video one skips to the next keyframe), and the read then throws
/// <see cref="WorldSessionClosedException"/>.
/// </summary>
public sealed class WorldSession : IAsyncDisposable
{
    private const int MaxMessageBytes = 16 << 20;

    private readonly WebSocket _socket;
    private readonly HttpResponseMessage _response;
    // Bounded so that a consumer that stops reading stops this reader too, and the server's slow-client rule applies.
    private readonly Channel<StreamFrame> _frames = Channel.CreateBounded<StreamFrame>(new BoundedChannelOptions(256)
    {
        SingleWriter = true,
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<SessionResumed> _resumed = new();
    private readonly ConcurrentQueue<SessionSkipped> _skipped = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;
    private volatile bool _disposing;
    private int _disposed;
    private int _reading;

    private WorldSession(WebSocket socket, HttpResponseMessage response, SessionWelcome welcome, StreamFormat format)
    {
        _socket = socket;
        _response = response;
        Welcome = welcome;
        Format = format;
    }

    /// <summary>The format the session's frames come in, as asked for and as the server's welcome confirmed.</summary>
    public StreamFormat Format { get; }

    /// <summary>The server's welcome: world, role, slot, player slots and tick rate.</summary>
    public SessionWelcome Welcome { get; }

    /// <summary>Error messages the server sent about refused client messages so far (the session goes on after each).</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    /// <summary>
    /// Each time the world came back from storage at its last durable tick after its silo died, with the session open: the
    /// frames after that tick received before it were never durable, and the frames go on from that tick again.
    /// </summary>
    public IReadOnlyList<SessionResumed> Resumed => [.. _resumed];

    /// <summary>Ticks that will never arrive on this session (the world no longer had their frames); frames go on after them.</summary>
    public IReadOnlyList<SessionSkipped> Skipped => [.. _skipped];

    /// <summary>How the server closed the session, once it has.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>
    /// The PNG frames received, in tick order and without gaps while connected (but see <see cref="Resumed"/> and <see cref="Skipped"/>); ends when the server closes the session
    /// normally and throws <see cref="WorldSessionClosedException"/> when it ends it for a reason. Only on a PNG session
    /// (<see cref="InvalidOperationException"/> otherwise); see <see cref="StreamFrames"/> for how reads share the frames.
    /// </summary>
    public IAsyncEnumerable<Frame> Frames(CancellationToken cancellationToken = default) => Format == StreamFormat.Png
        ? ReadPng(cancellationToken)
        : throw new InvalidOperationException($"this session streams {Format.Name()}: read StreamFrames(), or connect with StreamFormat.Png");

    /// <summary>
    /// The frames received in the session's format (a PNG session's too), in tick order; a joining video viewer starts at a
    /// keyframe, and one that fell behind skips to the next. Ends and throws as <see cref="Frames"/> does. The session has
    /// one queue of frames: a read takes up where the previous one stopped, and a second read while one is running throws
    /// <see cref="InvalidOperationException"/> rather than share the frames out between them.
    /// </summary>
    public IAsyncEnumerable<StreamFrame> StreamFrames(CancellationToken cancellationToken = default) => Read(cancellationToken);

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

    internal static async Task<WorldSession> StartAsync(WebSocket socket, HttpResponseMessage response, StreamFormat format, CancellationToken cancellationToken)
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
            // A gateway from before stream formats ignores the query and streams PNG: say so rather than misread its frames.
            if ((welcome.Format ?? FrameMessage.PngFormat) != format.Name())
            {
                throw new InvalidDataException($"asked for {format.Name()} frames, but the server streams {welcome.Format ?? FrameMessage.PngFormat} (a gateway without stream formats?)");
            }
            var session = new WorldSession(socket, response, welcome, format);
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
                    Note(buffer.AsSpan(0, length));
                    continue;
                }
                var frame = FrameMessage.DecodeStream(buffer.AsSpan(0, length));
                if (frame.Format != Format.Name())
                {
                    throw new InvalidDataException($"a {frame.Format} frame arrived on a {Format.Name()} session");
                }
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

    // One read at a time: two loops on one queue would each see every other frame, and neither would say so.
    private async IAsyncEnumerable<StreamFrame> Read([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException("this session's frames are already being read; read them in one loop (a later read takes up where it stopped)");
        }
        try
        {
            await foreach (var frame in _frames.Reader.ReadAllAsync(cancellationToken))
            {
                yield return frame;
            }
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    private async IAsyncEnumerable<Frame> ReadPng([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var f in Read(cancellationToken))
        {
            yield return new Frame(f.Tick, f.DurableTick, f.StateDigest, f.Actions, f.Width, f.Height, f.Payload);
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

    // Errors and notices; a type this client does not know is left alone (servers may add more).
    private void Note(ReadOnlySpan<byte> text)
    {
        switch (JsonSerializer.Deserialize<TextMessage>(text, ClientJson.Options)?.Type)
        {
            case SessionMessageTypes.Error:
                _errors.Enqueue(JsonSerializer.Deserialize<TextMessage>(text, ClientJson.Options)!.Message ?? "error");
                break;
            case SessionMessageTypes.Resumed:
                _resumed.Enqueue(JsonSerializer.Deserialize<SessionResumed>(text, ClientJson.Options)!);
                break;
            case SessionMessageTypes.Skipped:
                _skipped.Enqueue(JsonSerializer.Deserialize<SessionSkipped>(text, ClientJson.Options)!);
                break;
        }
    }

    private sealed record TextMessage(string? Type, string? Message);
}
