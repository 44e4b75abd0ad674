using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TorchSharp;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Memory;
using static TorchSharp.torch;

namespace WorldCluster.Runtime.Batching;

// The model calls: a batch planned into bucket-sized calls, each call's inputs gathered from resident rows or host bytes,
// its outputs checked, kept and handed back per world.
public sealed partial class StepBatcher
{
    private void Execute(Pending[] items, bool init)
    {
        if (items.Length == 0)
        {
            return;
        }
        foreach (var (offset, count, size) in BatchPlanner.Plan(items.Length, Manifest.BatchBuckets, init ? int.MaxValue : _budgetRows))
        {
            // Never null: a world resident when its batch began is resident still, or was spilled by this batch's earlier call.
            var slice = init ? items.AsSpan(offset, count).ToArray() : [.. items.AsSpan(offset, count).ToArray().Select(p => Prepare(p) ?? p)];
            // Spilling to make room for this call's states never picks a world of this call.
            _unspillable.Clear();
            _unspillable.UnionWith(slice.Where(p => p.Keep).Select(p => p.World!));
            Row[] results;
            // Busy time is read from the batcher's TimeProvider (not the Stopwatch below) so that tests can make it exact.
            _busy.CallStarted();
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
            finally
            {
                _busy.CallEnded();
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
                if (slice[i].Resumed)
                {
                    _metrics.StateResumeSeconds.WithLabels(Manifest.Name).Observe(_time.GetElapsedTime(slice[i].EnqueuedAt).TotalSeconds);
                }
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
        return (Collect(items, stored, output.Frames, forward), forward);
    }

    private (Row[] Rows, double Forward) RunStep(Pending[] items, int size)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var stored = Inputs(items, size);
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
            return (Collect(items, next, structured.Frames, structuredForward), structuredForward);
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
            return (Collect(items, plain.State, plain.Frames, plainForward), plainForward);
        }
        var table = stored.Skip(Manifest.State.Count).ToArray();
        var output = _model.Step(modelState, actionTensor, new SceneMemory(table[0], table[1]));
        var forward = ForwardSeconds(started);
        return (Collect(items, [.. output.State, .. Remember(memory, table, output)], output.Frames, forward), forward);
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

    // The input state of a call: host bytes stacked as always when no world's state is resident, else each world's
    // resident row (or its uploaded bytes) gathered, without a copy when the call repeats the last call's worlds.
    private IReadOnlyList<Tensor> Inputs(Pending[] items, int size)
    {
        var specs = Manifest.StoredState;
        if (!items.Any(p => p.State!.IsResident))
        {
            return WorldStateBatch.Stack(specs, [.. items.Select(p => p.State!)], size, _device);
        }
        var uploads = items.Where(p => !p.State!.IsResident).Select(p => p.State!).ToArray();
        IReadOnlyList<Tensor> uploaded = uploads.Length == 0 ? [] : WorldStateBatch.Stack(specs, uploads, uploads.Length, _device);
        var sources = new List<(IReadOnlyList<Tensor> Tensors, int Index)>(items.Length);
        var next = 0;
        foreach (var item in items)
        {
            if (item.State!.IsResident && _resident.TryGet(item.World!, item.Tick, out var row))
            {
                sources.Add((row.Block.Tensors, row.Index));
            }
            else
            {
                sources.Add((uploaded, next++));
            }
        }
        // A batch-invariant model's rows do not see each other, so padding may be whatever the block holds; any other
        // model gets the padding the host path gives it (copies of the last world), so its rows are the same bits.
        return _resident.Gather(sources, size, anyPadding: Manifest.BatchInvariant);
    }

    // Per world: its frame, its host state where wanted, and for resident steps the state kept here, hashed from the kept
    // block. A failed row of a model that is not batch-invariant keeps nothing: Complete runs the good rows again.
    private Row[] Collect(Pending[] items, IReadOnlyList<Tensor> stored, Tensor frames, double forwardSeconds)
    {
        var count = items.Length;
        var images = WorldStateBatch.UnstackFrames(frames, Manifest.Observation, count);
        var failures = NonFiniteRows(stored, count);
        var kept = Enumerable.Range(0, count).Where(i => items[i].Keep && failures[i] is null).ToArray();
        string[]? digests = null;
        byte[][]? scores = null;
        if (kept.Length > 0 && (Manifest.BatchInvariant || failures.All(f => f is null)))
        {
            // Room first, so the budget never counts more than it allows, not even between keeping this call's rows and spilling.
            SpillToFit(kept.Count(i => !_resident.Holds(items[i].World!)) * _resident.RowBytes, _unspillable);
            _resident.Keep(stored, [.. kept.Select(i => (i, items[i].World!, items[i].Tick + 1))], _time.GetTimestamp());
            PublishResidentCounts();
            digests = _resident.Digests([.. kept.Select(i => (items[i].World!, items[i].Players))]);
            scores = _scoresIndex < 0 ? null : _resident.Bytes(_scoresIndex, [.. kept.Select(i => items[i].World!)]);
            SpillOverBudget(_unspillable, askOthers: true);
        }
        else
        {
            kept = [];
        }
        var hostWanted = items.Any(p => !p.Keep || p.WantHost);
        var states = hostWanted ? WorldStateBatch.Unstack(Manifest.StoredState, stored, count) : null;
        var results = new Row[count];
        for (var i = 0; i < count; i++)
        {
            if (failures[i] is { } failure)
            {
                results[i] = new Row(null, failure);
                continue;
            }
            var k = Array.IndexOf(kept, i);
            var state = !items[i].Keep || items[i].WantHost ? states![i] : WorldState.Resident;
            results[i] = new Row(new ModelStepResult(state, images[i], forwardSeconds)
            {
                Digest = k < 0 ? null : digests![k],
                Scores = k < 0 || scores is null ? null : ScoresTensor(scores[k]),
            }, null);
        }
        return results;
    }

    private StateTensor ScoresTensor(byte[] data)
    {
        var spec = Manifest.StoredState[_scoresIndex];
        return new StateTensor(spec.Name, spec.DType, [.. spec.Shape], data);
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

}
