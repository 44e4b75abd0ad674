using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TorchSharp;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Memory;
using WorldCluster.Runtime.Metrics;
using static TorchSharp.torch;

namespace WorldCluster.Runtime.Batching;

/// <summary>
/// Runs one model for many worlds: requests queue in a bounded channel and a dedicated thread (never the Orleans
/// scheduler) turns them into batched model calls, flushing at the max batch size or after the max queue delay.
/// </summary>
public sealed class StepBatcher : IDisposable
{
    private readonly IWorldModel _model;
    private readonly StepBatcherOptions _options;
    private readonly TimeProvider _time;
    private readonly WorldClusterMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue;
    private readonly Thread _thread;
    private readonly int _maxBatch;
    private readonly Device _device;
    private int _queued;
    private int _previousBatch;
    private readonly HashSet<string> _previousWorlds = new(StringComparer.Ordinal);

    /// <summary>Creates a batcher for <paramref name="model"/>; call <see cref="Start"/> to begin serving.</summary>
    public StepBatcher(IWorldModel model, StepBatcherOptions options, TimeProvider time, WorldClusterMetrics metrics, ILogger logger)
    {
        options.Validate();
        _model = model;
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _maxBatch = options.MaxBatchSize;
        _device = ResolveDevice(options.Device);
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _thread = new Thread(Run) { IsBackground = true, Name = $"StepBatcher {model.Manifest.Id}" };
    }

    /// <summary>The model this batcher serves.</summary>
    public ModelManifest Manifest => _model.Manifest;

    /// <summary>The device batches run on.</summary>
    public string Device => _device.ToString();

    /// <summary>Requests waiting for a batch.</summary>
    public int QueueDepth => Volatile.Read(ref _queued);

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

    private Task<ModelStepResult> Enqueue(Pending item)
    {
        if (!_queue.Writer.TryWrite(item))
        {
            _metrics.QueueRejections.WithLabels(Manifest.Name).Inc();
            throw new StepQueueFullException(Manifest.Name, _options.QueueCapacity);
        }
        Interlocked.Increment(ref _queued);
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
            left.Completion.TrySetException(new ObjectDisposedException(nameof(StepBatcher)));
        }
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
                Execute([.. batch.Where(p => p.State is not null)], init: false);
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
            if (_queue.Reader.TryRead(out var item))
            {
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

    private void Execute(Pending[] items, bool init)
    {
        if (items.Length == 0)
        {
            return;
        }
        foreach (var (offset, count, size) in BatchPlanner.Plan(items.Length, Manifest.BatchBuckets))
        {
            var slice = items.AsSpan(offset, count).ToArray();
            Row[] results;
            try
            {
                var started = Stopwatch.GetTimestamp();
                (results, var forward) = init ? RunInit(slice, size) : RunStep(slice, size);
                var phase = init ? "init" : "step";
                _metrics.StepSeconds.WithLabels(Manifest.Name, phase).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                _metrics.ForwardSeconds.WithLabels(Manifest.Name, phase).Observe(forward);
                _metrics.BatchSize.WithLabels(Manifest.Name).Observe(count);
            }
            catch (Exception e)
            {
                // A throw names no row, and is nearly always the model's for every row (a wrong signature, a device or
                // memory error): retrying row by row would multiply a broken model's calls on this thread. See batching.md.
                _logger.LogError(e, "Model {Model} failed a batch of {Count}", Manifest.Id, count);
                _metrics.StepFailures.WithLabels(Manifest.Name).Inc();
                _metrics.WorldStepFailures.WithLabels(Manifest.Name).Inc(count);
                foreach (var item in slice)
                {
                    item.Completion.TrySetException(new ModelStepException(Manifest.Id, e));
                }
                continue;
            }
            Complete(slice, results, init);
        }
    }

    // Fails the worlds whose own output was bad, naming each; the others get their rows. A batch-invariant model's rows do
    // not depend on their neighbours, so the good rows are exact as they are; any other model's good rows are run again
    // without the bad worlds, so that no world's tick depends on a batch-mate whose step failed.
    private void Complete(Pending[] slice, Row[] results, bool init)
    {
        var bad = 0;
        for (var i = 0; i < slice.Length; i++)
        {
            if (results[i].Failure is not { } failure)
            {
                continue;
            }
            bad++;
            var who = Describe(slice[i], init);
            _logger.LogError("Model {Model} failed {World} of a batch of {Count}: {Reason}", Manifest.Id, who, slice.Length, failure);
            _metrics.StepFailures.WithLabels(Manifest.Name).Inc();
            _metrics.WorldStepFailures.WithLabels(Manifest.Name).Inc();
            slice[i].Completion.TrySetException(new ModelStepException(
                $"model '{Manifest.Id}' failed the step: {failure} for {who}; the world keeps its state", slice[i].Name));
        }
        if (bad > 0 && !Manifest.BatchInvariant)
        {
            var again = slice.Where((_, i) => results[i].Failure is null).ToArray();
            _logger.LogInformation("Model {Model} is not batch-invariant: running {Count} worlds again without the {Bad} that failed", Manifest.Id, again.Length, bad);
            Execute(again, init);
            return;
        }
        for (var i = 0; i < slice.Length; i++)
        {
            if (results[i].Result is { } result)
            {
                slice[i].Completion.TrySetResult(result);
            }
        }
    }

    private static string Describe(Pending item, bool init) =>
        item.Name is { } world ? $"world '{world}'" : init ? $"the new world of seed {item.Seed.Seed}" : "the world";

    private (Row[] Rows, double Forward) RunInit(Pending[] items, int size)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // Pad with copies of the last seed so init runs at a bucket size too.
        var seeds = Enumerable.Range(0, size).Select(i => items[Math.Min(i, items.Length - 1)].Seed).ToArray();
        var started = Stopwatch.GetTimestamp();
        var output = _model.Init(seeds);
        var forward = ForwardSeconds(started);
        var stored = output.State;
        if (Manifest.Memory is { } memory)
        {
            var table = SceneMemoryTable.Empty(memory, size, output.Frames.device);
            stored = [.. stored, .. Remember(memory, table, output)];
        }
        return (Collect(stored, output.Frames, items.Length, forward), forward);
    }

    private (Row[] Rows, double Forward) RunStep(Pending[] items, int size)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var specs = Manifest.StoredState;
        var stored = WorldStateBatch.Stack(specs, [.. items.Select(p => p.State!)], size, _device);
        var players = Manifest.MaxPlayers;
        var modelState = stored.Take(Manifest.State.Count).ToArray();
        if (!Manifest.ActionSpace.IsDiscrete)
        {
            var batch = ActionBatch.Stack(Manifest.ActionSpace, [.. items.Select(p => p.Actions!)], size, players, _device);
            var memoryTable = Manifest.Memory is null ? null : stored.Skip(Manifest.State.Count).ToArray();
            var startedStructured = Stopwatch.GetTimestamp();
            var structured = _model.Step(modelState, batch, memoryTable is null ? null : new SceneMemory(memoryTable[0], memoryTable[1]));
            var structuredForward = ForwardSeconds(startedStructured);
            StateOf(structured, memoryTable, out var next);
            return (Collect(next, structured.Frames, items.Length, structuredForward), structuredForward);
        }
        var actions = new long[size * players];
        for (var w = 0; w < items.Length; w++)
        {
            var a = items[w].Actions!;
            for (var p = 0; p < a.Count; p++)
            {
                actions[(w * players) + p] = a[p];
            }
        }
        var actionTensor = tensor(actions, [size, players], ScalarType.Int64, _device);
        var started = Stopwatch.GetTimestamp();
        if (Manifest.Memory is not { } memory)
        {
            var plain = _model.Step(modelState, actionTensor);
            var plainForward = ForwardSeconds(started);
            return (Collect(plain.State, plain.Frames, items.Length, plainForward), plainForward);
        }
        var table = stored.Skip(Manifest.State.Count).ToArray();
        var output = _model.Step(modelState, actionTensor, new SceneMemory(table[0], table[1]));
        var forward = ForwardSeconds(started);
        return (Collect([.. output.State, .. Remember(memory, table, output)], output.Frames, items.Length, forward), forward);
    }

    // The tensors a structured step stores: the model's state, then (with scene memory) the table after its write.
    private void StateOf(StepOutput output, Tensor[]? table, out IReadOnlyList<Tensor> stored) =>
        stored = table is null || Manifest.Memory is not { } memory ? output.State : [.. output.State, .. Remember(memory, table, output)];

    private Tensor[] Remember(MemorySpec memory, Tensor[] table, StepOutput output) =>
        output.Memory is { } write
            ? SceneMemoryTable.Write(memory, table, write)
            : throw new InvalidOperationException($"model {Manifest.Id} declares scene memory but returned no memory write");

    // The model call alone; on a GPU its kernels run asynchronously, so wait for them before reading the clock.
    private double ForwardSeconds(long started)
    {
        if (_device.type == DeviceType.CUDA)
        {
            cuda.synchronize(_device);
        }
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static Device ResolveDevice(string name)
    {
        var device = new Device(name);
        if (device.type == DeviceType.CUDA && !cuda.is_available())
        {
            throw new InvalidOperationException(
                $"WorldCluster:Batching:Device is '{name}' but no CUDA device is available to TorchSharp (is a TorchSharp-cuda package referenced? see docs/batching.md)");
        }
        return device;
    }

    private Row[] Collect(IReadOnlyList<Tensor> stored, Tensor frames, int count, double forwardSeconds)
    {
        var states = WorldStateBatch.Unstack(Manifest.StoredState, stored, count);
        var images = WorldStateBatch.UnstackFrames(frames, Manifest.Observation, count);
        var failures = NonFiniteRows(stored, count);
        var results = new Row[count];
        for (var i = 0; i < count; i++)
        {
            results[i] = failures[i] is { } failure ? new Row(null, failure) : new Row(new ModelStepResult(states[i], images[i], forwardSeconds), null);
        }
        return results;
    }

    // A NaN or an infinity in a world's float state would poison every later tick of that world: refuse that row.
    private string?[] NonFiniteRows(IReadOnlyList<Tensor> stored, int count)
    {
        var failures = new string?[count];
        var specs = Manifest.StoredState;
        for (var i = 0; i < specs.Count; i++)
        {
            if (!stored[i].is_floating_point())
            {
                continue;
            }
            using var finite = stored[i].narrow(0, 0, count).isfinite().reshape(count, -1).all(1).cpu();
            var rows = finite.data<bool>().ToArray();
            for (var w = 0; w < count; w++)
            {
                failures[w] ??= rows[w] ? null : $"its output '{specs[i].Name}' holds NaN or infinite values";
            }
        }
        return failures;
    }

    private readonly record struct Row(ModelStepResult? Result, string? Failure);

    // World names a stepping world for continuous batching; Name names any world in messages (an init's world too,
    // which is not counted as a newcomer: it was in no batch yet).
    private sealed record Pending(WorldState? State, IReadOnlyList<int>? Actions, WorldSeed Seed, long EnqueuedAt, string? World)
    {
        public string? Name { get; init; } = World;

        public TaskCompletionSource<ModelStepResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
