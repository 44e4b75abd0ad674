using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Metrics;
using static TorchSharp.torch;

namespace WorldCluster.Runtime.Batching;

/// <summary>
/// Runs one model for many worlds: requests queue in a bounded channel and a dedicated thread (never the Orleans
/// scheduler) turns them into batched model calls, flushing at the max batch size or after the max queue delay.
/// </summary>
/// <remarks>
/// This file holds the queue and the thread; <c>StepBatcher.Calls.cs</c> the model calls. Worlds stepped through
/// <see cref="ResidentStepAsync"/> keep their state here, on the model's device, between steps (<see cref="ResidentStates"/>).
/// </remarks>
public sealed partial class StepBatcher : IDisposable
{
    private readonly IWorldModel _model;
    private readonly StepBatcherOptions _options;
    private readonly TimeProvider _time;
    private readonly WorldClusterMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Channel<Queued> _queue;
    private readonly ResidentStates _resident;
    private readonly ResidentBudget _budget;
    private long _reportedBytes;
    private readonly int _scoresIndex;
    private readonly Thread _thread;
    private readonly int _maxBatch;
    private readonly Device _device;
    private int _queued;
    private int _residentWorlds;
    private long _residentBytes;
    private int _previousBatch;
    private readonly HashSet<string> _previousWorlds = new(StringComparer.Ordinal);
    private static readonly HashSet<string> NoWorlds = [];
    private readonly HashSet<string> _unspillable = new(StringComparer.Ordinal);
    private readonly int _budgetRows;
    private readonly Func<Task> _spillRequest;
    private readonly BusyWindow _busy;

    /// <summary>Creates a batcher for <paramref name="model"/>; call <see cref="Start"/> to begin serving.</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">Batch sizes, delays, queue capacity, device.</param>
    /// <param name="time">The clock for delays.</param>
    /// <param name="metrics">Where to count.</param>
    /// <param name="logger">Where to log.</param>
    /// <param name="budget">The silo's resident state budget, shared by its batchers (unbounded when null).</param>
    public StepBatcher(IWorldModel model, StepBatcherOptions options, TimeProvider time, WorldClusterMetrics metrics, ILogger logger, ResidentBudget? budget = null)
    {
        options.Validate();
        _model = model;
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _maxBatch = options.MaxBatchSize;
        _device = ResolveDevice(options.Device);
        _busy = new BusyWindow(time, options.BusyWindow);
        _resident = new ResidentStates(model.Manifest);
        _budget = budget ?? ResidentBudget.Unbounded;
        // A call keeps its worlds' states whatever else is spilled: with a budget, no call keeps more than fit in it.
        _budgetRows = _budget.BudgetBytes == 0 ? int.MaxValue : (int)Math.Clamp(_budget.BudgetBytes / Math.Max(1, _resident.RowBytes), 1, int.MaxValue);
        _spillRequest = () => Control(resident =>
        {
            SpillOverBudget(NoWorlds, askOthers: false);
            return null;
        });
        _budget.Register(_spillRequest);
        // The state tensor a world's scores are read from (see Worlds.PlayerScores), handed out on its own for resident steps.
        _scoresIndex = model.Manifest.StoredState.ToList().FindIndex(s => s.Name == "scores" && s.DType == StateDType.Int32 && s.Shape.Count == 1);
        // Unbounded: the capacity bounds steps (counted in Enqueue); a state read or an eviction must never be refused.
        _queue = Channel.CreateUnbounded<Queued>(new UnboundedChannelOptions { SingleReader = true });
        _thread = new Thread(Run) { IsBackground = true, Name = $"StepBatcher {model.Manifest.Id}" };
    }

    /// <summary>The model this batcher serves.</summary>
    public ModelManifest Manifest => _model.Manifest;

    /// <summary>The device batches run on.</summary>
    public string Device => _device.ToString();

    /// <summary>True when batches run on the CPU.</summary>
    public bool OnCpu => _device.type == TorchSharp.DeviceType.CPU;

    /// <summary>The share of the last <see cref="StepBatcherOptions.BusyWindow"/> this batcher spent in model calls (0 to 1).</summary>
    public double BusyRatio => _busy.Ratio();

    /// <summary>Requests waiting for a batch.</summary>
    public int QueueDepth => Volatile.Read(ref _queued);

    /// <summary>Worlds whose state this batcher holds on its device, as of the last batch.</summary>
    public int ResidentWorlds => Volatile.Read(ref _residentWorlds);

    /// <summary>Device bytes of the state blocks this batcher holds, as of the last batch (padding and dead rows included; at most twice <see cref="ResidentStateBytes"/>).</summary>
    public long ResidentBytes => Volatile.Read(ref _residentBytes);

    /// <summary>State bytes of the worlds this batcher holds (one row each): what counts against the resident state budget.</summary>
    public long ResidentStateBytes => ResidentWorlds * _resident.RowBytes;

    /// <summary>One world's state bytes for this model.</summary>
    public long StateBytesPerWorld => _resident.RowBytes;

    /// <summary>
    /// State bytes of the worlds this batcher stepped within the admission window (its working set), counted between
    /// batches on its thread.
    /// </summary>
    public async Task<long> WorkingSetBytesAsync()
    {
        var since = _time.GetTimestamp() - (long)(_budget.Options.AdmissionWindow.TotalSeconds * _time.TimestampFrequency);
        return (int)(await Control(resident => resident.SteppedSince(since)))! * _resident.RowBytes;
    }

    /// <summary>Raised on the batcher thread for each world whose state it spilled to host memory (handlers must not block).</summary>
    public event Action<string>? Spilled;

    /// <summary>Called on the batcher thread when a partial batch starts waiting for company (tests use it as a barrier).</summary>
    internal Action<int>? WaitingForMore { get; set; }

    /// <summary>Starts the batcher thread.</summary>
    public void Start() => _thread.Start();

    /// <summary>Queues a fresh world; completes with its first state and frame.</summary>
    /// <param name="seed">The world's seed and player count.</param>
    /// <param name="world">The world's id, named if its init fails (optional).</param>
    public Task<ModelStepResult> InitAsync(WorldSeed seed, string? world = null) => Enqueue(new Pending(null, null, seed, _time.GetTimestamp(), null) { Name = world });

    /// <summary>Queues one tick of one world; completes with its next state and frame.</summary>
    /// <param name="state">The world's state.</param>
    /// <param name="actions">One action per player slot.</param>
    /// <param name="world">The world's id, which lets continuous batching wait for the worlds of the previous batch (optional).</param>
    /// <exception cref="StepQueueFullException">The queue is at capacity.</exception>
    public Task<ModelStepResult> StepAsync(WorldState state, IReadOnlyList<int> actions, string? world = null) =>
        Enqueue(new Pending(state, actions, default, _time.GetTimestamp(), world));

    /// <summary>
    /// Queues one tick of a world whose state stays here between steps; completes with its frame and digest, and its next
    /// state as host bytes only when <paramref name="wantHost"/> (otherwise <see cref="WorldState.Resident"/>).
    /// </summary>
    /// <param name="world">The world's id: the key its state is held under.</param>
    /// <param name="tick">The tick <paramref name="state"/> is at.</param>
    /// <param name="players">The world's player slots (part of its digest).</param>
    /// <param name="state">Host bytes to start from (after a recovery, say), or <see cref="WorldState.Resident"/> for the state held here.</param>
    /// <param name="actions">One action per player slot.</param>
    /// <param name="wantHost">True to get the next state's host bytes too (for a snapshot, or a journal that carries states).</param>
    /// <exception cref="StepQueueFullException">The queue is at capacity.</exception>
    public Task<ModelStepResult> ResidentStepAsync(string world, long tick, int players, WorldState state, IReadOnlyList<int> actions, bool wantHost) =>
        Enqueue(new Pending(state, actions, default, _time.GetTimestamp(), world) { Keep = true, Tick = tick, Players = players, WantHost = wantHost });

    /// <summary>A host copy of the state this batcher holds for <paramref name="world"/> at <paramref name="tick"/>; null when it holds no such state.</summary>
    public async Task<WorldState?> ReadStateAsync(string world, long tick) =>
        (WorldState?)await Control(resident => resident.Read(world, tick));

    /// <summary>Frees what this batcher holds of <paramref name="world"/> (it deactivated, moved or was deleted); completes once it is freed.</summary>
    public Task EvictAsync(string world) => Control(resident =>
    {
        resident.Evict(world);
        return null;
    });

    private Task<object?> Control(Func<ResidentStates, object?> work)
    {
        var control = new ControlOp(work);
        if (!_queue.Writer.TryWrite(control))
        {
            control.Done.TrySetException(new ObjectDisposedException(nameof(StepBatcher)));
        }
        return control.Done.Task;
    }

    private Task<ModelStepResult> Enqueue(Pending item)
    {
        if (Interlocked.Increment(ref _queued) > _options.QueueCapacity)
        {
            Interlocked.Decrement(ref _queued);
            _metrics.QueueRejections.WithLabels(Manifest.Name).Inc();
            throw new StepQueueFullException(Manifest.Name, _options.QueueCapacity);
        }
        if (!_queue.Writer.TryWrite(item))
        {
            Interlocked.Decrement(ref _queued);
            throw new ObjectDisposedException(nameof(StepBatcher));
        }
        return item.Completion.Task;
    }

    /// <summary>Stops taking requests, fails the ones still queued and waits for the thread to end.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        if (_thread.IsAlive)
        {
            _thread.Join();
        }
        while (_queue.Reader.TryRead(out var left))
        {
            left.Fail(new ObjectDisposedException(nameof(StepBatcher)));
        }
        _resident.Dispose();
        _budget.Unregister(_spillRequest);
        _budget.Add(-_reportedBytes);
        _reportedBytes = 0;
    }

    private void Run()
    {
        var batch = new List<Pending>(_maxBatch);
        while (WaitToRead(CancellationToken.None))
        {
            batch.Clear();
            Collect(batch);
            if (batch.Count == 0)
            {
                continue;
            }
            Interlocked.Add(ref _queued, -batch.Count);
            _previousBatch = batch.Count;
            _previousWorlds.Clear();
            var now = _time.GetTimestamp();
            foreach (var item in batch)
            {
                if (item.World is { } world)
                {
                    _previousWorlds.Add(world);
                }
                _metrics.QueueDelay.WithLabels(Manifest.Name).Observe(_time.GetElapsedTime(item.EnqueuedAt, now).TotalSeconds);
            }
            _metrics.Tensors.BatchStarting();
            try
            {
                Execute([.. batch.Where(p => p.State is null)], init: true);
                Execute([.. batch.Where(p => p.State is not null).Select(Prepare).OfType<Pending>()], init: false);
            }
            finally
            {
                _metrics.Tensors.BatchEnded();
            }
        }
    }

    // Takes what is queued, then waits up to the max queue delay for more, until the batch is full (or, by default, holds
    // as many worlds as the previous batch plus the named worlds that were not in it: the worlds that were stepping are
    // back). Counting newcomers keeps two cohorts from alternating for ever: when half the worlds queue while the other
    // half's batch runs, each half alone would be "as large as the previous batch", and a model that gains from larger
    // batches would run at half its batch size; waiting for the half just served merges them into one batch.
    private void Collect(List<Pending> batch)
    {
        var deadline = _time.GetTimestamp();
        var delay = _options.MaxQueueDelay;
        var continuous = _options.StopAtPreviousBatchSize && _previousBatch > 0;
        var newcomers = 0;
        while (batch.Count < _maxBatch)
        {
            if (_queue.Reader.TryRead(out var queued))
            {
                if (queued is not Pending item)
                {
                    // A read or an eviction: on this thread, between batches, so the table is never touched by two.
                    ((ControlOp)queued).Run(_resident, PublishResidentCounts);
                    continue;
                }
                batch.Add(item);
                if (item.World is { } world && !_previousWorlds.Contains(world))
                {
                    newcomers++;
                }
                continue;
            }
            var enough = continuous ? Math.Min(_previousBatch + newcomers, _maxBatch) : _maxBatch;
            var remaining = delay - _time.GetElapsedTime(deadline);
            if (batch.Count == 0 || batch.Count >= enough || remaining <= TimeSpan.Zero)
            {
                return;
            }
            using var timeout = new CancellationTokenSource(remaining, _time);
            // The timer exists before anyone learns we wait, so a test that advances time right after cannot miss it.
            WaitingForMore?.Invoke(batch.Count);
            if (!WaitToRead(timeout.Token))
            {
                return;
            }
        }
    }

    private bool WaitToRead(CancellationToken cancellationToken)
    {
        try
        {
            // A dedicated thread may block: that is what it is for.
            return _queue.Reader.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // A step that starts from a resident state: from the row held, from host memory if it was spilled (a resume), or it
    // fails alone, before any model call, when this batcher has no such state. Run for a batch, and again for each of its
    // calls, since an earlier call of the batch may have spilled a world of a later one.
    private Pending? Prepare(Pending item)
    {
        if (!item.State!.IsResident || _resident.TryGet(item.World!, item.Tick, out _))
        {
            return item;
        }
        if (_resident.TryResume(item.World!, item.Tick, out var spilled))
        {
            _metrics.StateResumes.WithLabels(Manifest.Name).Inc();
            return item with { State = spilled, Resumed = true };
        }
        item.Completion.TrySetException(new StateNotResidentException(item.World!, item.Tick));
        return null;
    }

    private readonly record struct Row(ModelStepResult? Result, string? Failure);

    private abstract record Queued
    {
        public abstract void Fail(Exception e);
    }

    // World names a stepping world for continuous batching; Name names any world in messages (an init's world too,
    // which is not counted as a newcomer: it was in no batch yet). Keep marks a resident step: its next state stays here
    // under World at Tick + 1, hashed for Players slots.
    private sealed record Pending(WorldState? State, IReadOnlyList<int>? Actions, WorldSeed Seed, long EnqueuedAt, string? World) : Queued
    {
        public string? Name { get; init; } = World;

        public bool Keep { get; init; }

        public long Tick { get; init; }

        public int Players { get; init; }

        public bool WantHost { get; init; }

        public bool Resumed { get; init; }

        public TaskCompletionSource<ModelStepResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Fail(Exception e) => Completion.TrySetException(e);
    }

    private sealed record ControlOp(Func<ResidentStates, object?> Work) : Queued
    {
        public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Run(ResidentStates resident, Action then)
        {
            try
            {
                var result = Work(resident);
                then();
                Done.TrySetResult(result);
            }
            catch (Exception e)
            {
                Done.TrySetException(e);
            }
        }

        public override void Fail(Exception e) => Done.TrySetException(e);
    }
}
