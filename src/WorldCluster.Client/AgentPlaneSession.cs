using System.Net.WebSockets;
using WorldCluster.Contracts.Plane;

namespace WorldCluster.Client;

/// <summary>
/// An open agent plane connection (docs/agent-plane.md): <see cref="BindAsync"/> env ids to worlds, then
/// <see cref="SendStepAsync"/> (several may be in flight) and <see cref="ReceiveAsync"/> the answers as they complete.
/// One sender and one receiver at a time.
/// </summary>
public sealed class AgentPlaneSession : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly HttpResponseMessage _response;
    private readonly Queue<PlaneResult> _early = new();
    // Results carry frames, so they may be far larger than any request; the buffer grows to the largest seen.
    private byte[] _buffer = new byte[1 << 20];
    private uint _nextId = 1;

    internal AgentPlaneSession(WebSocket socket, HttpResponseMessage response)
    {
        _socket = socket;
        _response = response;
    }

    /// <summary>How the server closed the connection, once it has.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>The frame shape <c>[C, H, W]</c> of this connection's worlds, once a bind succeeded.</summary>
    public int[]? FrameShape { get; private set; }

    /// <summary>Binds env ids to worlds and waits for the answer; results that arrive first wait for <see cref="ReceiveAsync"/>.</summary>
    public async Task<PlaneBoundEntry[]> BindAsync(IReadOnlyList<PlaneBindEntry> entries, CancellationToken cancellationToken = default)
    {
        var id = _nextId++;
        await _socket.SendAsync(PlaneBind.Encode(id, entries), WebSocketMessageType.Binary, true, cancellationToken);
        while (true)
        {
            var (message, header) = await ReadAsync(cancellationToken);
            if (header.Kind == PlaneKind.Bound && header.RequestId == id)
            {
                var (shape, bound) = PlaneReplies.ReadBound(message, header);
                FrameShape = shape;
                return bound;
            }
            _early.Enqueue(Answer(message, header));
        }
    }

    /// <summary>Sends a step: <paramref name="actions"/> holds one int64 per player slot per env (env-major). Returns its request id.</summary>
    public async Task<uint> SendStepAsync(long[] actions, int[] envIds, PlaneOp[]? ops = null, bool frames = true, CancellationToken cancellationToken = default)
    {
        var id = _nextId++;
        var step = new PlaneStep(id, frames, actions.Length / Math.Max(1, envIds.Length), actions, envIds, ops ?? new PlaneOp[envIds.Length]);
        await _socket.SendAsync(step.Encode(), WebSocketMessageType.Binary, true, cancellationToken);
        return id;
    }

    /// <summary>
    /// The next step answer, in completion order. A refused request throws <see cref="WorldClusterException"/> with its
    /// status; a connection the server closed throws <see cref="WorldSessionClosedException"/> with its reason.
    /// </summary>
    public async Task<PlaneResult> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        if (_early.TryDequeue(out var early))
        {
            return early;
        }
        var (message, header) = await ReadAsync(cancellationToken);
        return Answer(message, header);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                _socket.Abort();
            }
        }
        _socket.Dispose();
        _response.Dispose();
    }

    private static PlaneResult Answer(byte[] message, PlaneHeader header)
    {
        if (header.Kind == PlaneKind.Error)
        {
            var (status, detail) = PlaneReplies.ReadError(message);
            throw new WorldClusterException(new WorldClusterProblem(status, "Refused", $"request {header.RequestId}: {detail}"));
        }
        return PlaneResult.Read(message);
    }

    private async Task<(byte[] Message, PlaneHeader Header)> ReadAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            var read = await _socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken);
            if (read.MessageType == WebSocketMessageType.Close)
            {
                throw new WorldSessionClosedException(_socket.CloseStatus, _socket.CloseStatusDescription);
            }
            length += read.Count;
            if (read.EndOfMessage)
            {
                var message = _buffer[..length];
                return (message, PlaneHeader.Read(message, out var problem) ?? throw new FormatException(problem));
            }
            if (length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }
    }
}
