using System.Net.WebSockets;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using WorldCluster.Abstractions;
using WorldCluster.Models.Catalog;
using WorldCluster.Silo.Hosting;
using Plane = WorldCluster.Contracts.Plane;

namespace WorldCluster.Silo.Agents;

/// <summary>
/// One agent plane connection: reads messages one by one, refuses a malformed one by closing the socket (1007, with the
/// reason) before anything in it runs, and runs steps concurrently (up to <see cref="MaxInFlight"/>), each environment's
/// steps in the order they arrived. Answers go out as they complete, each carrying its request's id.
/// </summary>
internal sealed class AgentPlaneConnection(WebSocket socket, IGrainFactory grains, ModelCatalog catalog, RateLimiter budget, RateLimitOptions limits, ILogger logger) : IDisposable
{
    /// <summary>Requests one connection may have running; the next waits (the client's socket buffers), never refused.</summary>
    public const int MaxInFlight = 16;

    private readonly PlaneBinding?[] _bindings = new PlaneBinding?[Plane.PlaneProtocol.MaxEnvs];
    private readonly Task[] _last = new Task[Plane.PlaneProtocol.MaxEnvs];
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly SemaphoreSlim _running = new(MaxInFlight, MaxInFlight);
    private readonly List<Task> _pending = [];
    private int[]? _shape;

    /// <summary>Serves the connection until the client closes it, it sends a malformed message, or the host stops.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[Plane.PlaneProtocol.MaxMessageSize];
        try
        {
            while (true)
            {
                var (length, type) = await ReceiveAsync(buffer, cancellationToken);
                if (type == WebSocketMessageType.Close)
                {
                    break;
                }
                var malformed = type == WebSocketMessageType.Text ? "text message: the plane takes binary messages only"
                    : length < 0 ? $"message over {Plane.PlaneProtocol.MaxMessageSize} bytes" : await HandleAsync(buffer.AsMemory(0, length), cancellationToken);
                if (malformed is not null)
                {
                    await CloseAsync(type == WebSocketMessageType.Text ? WebSocketCloseStatus.InvalidMessageType
                        : length < 0 ? WebSocketCloseStatus.MessageTooBig : WebSocketCloseStatus.InvalidPayloadData, malformed);
                    return;
                }
                _pending.RemoveAll(t => t.IsCompleted);
            }
            await Task.WhenAll(_pending);
            if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            }
        }
        finally
        {
            await Task.WhenAll(_pending);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _sending.Dispose();
        _running.Dispose();
    }

    // Null when the message was taken (answered, or running); else why it is malformed (nothing in it ran).
    private async Task<string?> HandleAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var header = Plane.PlaneHeader.Read(message.Span, out var problem);
        if (header is not { } h)
        {
            return problem;
        }
        string? reason = null;
        var bind = h.Kind == Plane.PlaneKind.Bind ? Plane.PlaneBind.Decode(message.Span, h, out reason) : null;
        var step = h.Kind == Plane.PlaneKind.Step ? Plane.PlaneStep.Decode(message.Span, h, out reason) : null;
        if (bind is null && step is null)
        {
            return reason ?? $"kind 0x{(byte)h.Kind:x2} is not a client message (0x01 bind, 0x02 step)";
        }
        using (var lease = budget.AttemptAcquire())
        {
            if (!lease.IsAcquired)
            {
                // As HTTP's Retry-After: the rest of this window, to the second (rounded up: retrying then succeeds).
                var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? $"; retry after {Math.Ceiling(after.TotalSeconds):0} s" : "";
                await SendAsync(Plane.PlaneReplies.Error(h.RequestId, StatusCodes.Status429TooManyRequests,
                    $"this token may make {limits.PermitLimit} API requests per {limits.Window.TotalSeconds:0} s; nothing in this request ran{retry}"));
                return null;
            }
        }
        if (bind is not null)
        {
            // Binds run in line: a step sent after a bind sees it.
            await SendAsync(await BindAsync(h.RequestId, bind));
            return null;
        }
        if (Refusal(step!) is { } refused)
        {
            await SendAsync(Plane.PlaneReplies.Error(h.RequestId, StatusCodes.Status400BadRequest, refused));
            return null;
        }
        await _running.WaitAsync(cancellationToken);
        _pending.Add(RunStepAsync(step!));
        return null;
    }

    private async Task<byte[]> BindAsync(uint requestId, Plane.PlaneBindEntry[] entries)
    {
        var looked = await Task.WhenAll(entries.Select(async e =>
        {
            var world = grains.GetGrain<IWorldGrain>(e.World);
            try
            {
                var info = await world.GetAsync();
                var observed = await world.ObserveAsync();
                return (Info: info, Frame: observed.Frame, Error: (string?)null, Status: 0);
            }
            catch (WorldRequestException x)
            {
                return (null!, null!, $"world '{e.World}': {x.Message}", ((ProblemHttpResult)Api.Problems.From(x, e.World)).StatusCode);
            }
        }));
        for (var i = 0; i < entries.Length; i++)
        {
            var (info, frame, error, status) = looked[i];
            if (error is not null)
            {
                return Plane.PlaneReplies.Error(requestId, status, $"bind entry {i}: {error}; nothing was bound");
            }
            if (info.TickHz > 0)
            {
                return Plane.PlaneReplies.Error(requestId, StatusCodes.Status409Conflict,
                    $"bind entry {i}: world '{info.Id}' ticks in real time at {info.TickHz} Hz; players act through a session; nothing was bound");
            }
            int[] shape = [frame.Channels, frame.Height, frame.Width];
            if ((_shape ?? shape).AsSpan().SequenceCompareTo(shape) != 0)
            {
                return Plane.PlaneReplies.Error(requestId, StatusCodes.Status400BadRequest,
                    $"bind entry {i}: world '{info.Id}' has frames of [{string.Join(", ", shape)}]; this connection's are [{string.Join(", ", _shape!)}]; nothing was bound");
            }
            _shape = shape;
        }
        var bound = new Plane.PlaneBoundEntry[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            var info = looked[i].Info;
            int? actions = catalog.TryGet(info.Model, out var model) ? model.Manifest.ActionSpace.N : null;
            _bindings[entries[i].EnvId] = new PlaneBinding(grains.GetGrain<IWorldGrain>(info.Id), info.Id, info.Players, actions, entries[i].MaxEpisodeSteps, info.Tick);
            bound[i] = new Plane.PlaneBoundEntry(entries[i].EnvId, info.Players, actions ?? 0);
        }
        return Plane.PlaneReplies.Bound(requestId, _shape!, bound);
    }

    // Why a well-formed step cannot run as a whole (then none of it runs), or null.
    private string? Refusal(Plane.PlaneStep step)
    {
        for (var i = 0; i < step.EnvIds.Length; i++)
        {
            if (_bindings[step.EnvIds[i]] is not { } binding)
            {
                return $"env_ids[{i}] = {step.EnvIds[i]} is not bound (send a bind first); nothing stepped";
            }
            if (binding.Players != step.Components)
            {
                return $"env {step.EnvIds[i]}: world '{binding.Id}' has {binding.Players} player slots, the step carries {step.Components} components; nothing stepped";
            }
            if (step.Ops[i] == Plane.PlaneOp.Step && binding.ActionCount is { } n)
            {
                for (var k = 0; k < step.Components; k++)
                {
                    var a = step.Actions[(i * step.Components) + k];
                    if (a < 0 || a >= n)
                    {
                        return $"env {step.EnvIds[i]}, slot {k}: action {a} is outside the action space (discrete, 0..{n - 1}); nothing stepped";
                    }
                }
            }
        }
        return null;
    }

    private async Task RunStepAsync(Plane.PlaneStep step)
    {
        try
        {
            var count = step.EnvIds.Length;
            var items = new Task<WorldObservation>[count];
            var bindings = new PlaneBinding[count];
            for (var i = 0; i < count; i++)
            {
                var env = step.EnvIds[i];
                bindings[i] = _bindings[env]!;
                items[i] = After(_last[env], bindings[i].World, step.Ops[i], Actions(step, i));
                _last[env] = items[i];
            }
            var result = Plane.PlaneResult.Create(step.RequestId, count, _shape!, step.Components, step.Frames);
            for (var i = 0; i < count; i++)
            {
                try
                {
                    var o = await items[i];
                    var b = bindings[i];
                    result.Set(i, o.Tick, o.DurableTick, o.Rewards, b.MaxEpisodeSteps > 0 && o.Tick - b.StartTick >= b.MaxEpisodeSteps, o.StateDigest, o.Frame.Pixels);
                }
                catch (WorldRequestException e)
                {
                    result.Fail(i, (ushort)((ProblemHttpResult)Api.Problems.From(e, bindings[i].Id)).StatusCode);
                }
                catch (TimeoutException)
                {
                    result.Fail(i, StatusCodes.Status503ServiceUnavailable);
                }
            }
            await SendAsync(result.Message);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            logger.LogDebug(e, "Agent plane answer not sent: the connection is gone");
        }
        finally
        {
            _running.Release();
        }
    }

    // Runs once the environment's previous request did (whatever it answered), so pipelined steps keep their order.
    private static async Task<WorldObservation> After(Task? previous, IWorldGrain world, Plane.PlaneOp op, int[] actions)
    {
        if (previous is not null)
        {
            await ((Task)previous).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
        return op == Plane.PlaneOp.Observe ? await world.ObserveAsync() : await world.StepObservedAsync(new StepRequest(actions));
    }

    private static int[] Actions(Plane.PlaneStep step, int i)
    {
        var actions = new int[step.Components];
        for (var k = 0; k < actions.Length; k++)
        {
            // Checked against the action space when the gateway knows it; the world checks it again either way.
            actions[k] = (int)Math.Clamp(step.Actions[(i * step.Components) + k], -1, int.MaxValue);
        }
        return actions;
    }

    private async Task SendAsync(byte[] message)
    {
        await _sending.WaitAsync();
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Binary, true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }

    // Length -1: the message is over the limit (the rest of it is not read).
    private async Task<(int Length, WebSocketMessageType Type)> ReceiveAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                return (-1, WebSocketMessageType.Binary);
            }
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
            length += read.Count;
            if (read.EndOfMessage || read.MessageType == WebSocketMessageType.Close)
            {
                return (length, read.MessageType);
            }
        }
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        // Answers already running still go out first; the malformed message itself ran nothing.
        await Task.WhenAll(_pending);
        logger.LogInformation("Agent plane connection closed: {Reason}", reason);
        var bytes = Encoding.UTF8.GetBytes(reason);
        // A close reason is at most 123 bytes.
        var text = bytes.Length <= 123 ? reason : Encoding.UTF8.GetString(bytes, 0, 120) + "...";
        await _sending.WaitAsync();
        try
        {
            await socket.CloseAsync(status, text, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }
}
