using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Batching;

public sealed class StepBatcherTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly int[] Buckets = [8, 16, 32, 64];

    [Fact]
    public async Task A_full_batch_runs_without_waiting_for_the_delay()
    {
        using var model = new LinearTestModel([]);
        var time = new FakeTimeProvider();
        using var batcher = Start(model, time, maxBatch: 4, delay: TimeSpan.FromHours(1));
        var states = await InitMany(model, 4);
        model.CallSizes.Clear();

        var steps = states.Select(s => batcher.StepAsync(s, [1, 2])).ToArray();
        await Task.WhenAll(steps).WaitAsync(Deadline);

        Assert.Equal([4], model.CallSizes);
    }

    [Fact]
    public async Task A_partial_batch_waits_for_the_max_queue_delay_then_runs()
    {
        using var model = new LinearTestModel([]);
        var time = new FakeTimeProvider();
        var delay = TimeSpan.FromMilliseconds(10);
        using var batcher = Start(model, time, maxBatch: 8, delay);
        var states = await InitMany(model, 2);
        model.CallSizes.Clear();

        var waitingWithTwo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        batcher.WaitingForMore = n =>
        {
            if (n == 2)
            {
                waitingWithTwo.TrySetResult();
            }
        };
        var first = batcher.StepAsync(states[0], [0, 0]);
        var second = batcher.StepAsync(states[1], [0, 0]);
        await waitingWithTwo.Task.WaitAsync(Deadline);

        // The batcher thread is parked waiting for more; nothing has run.
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        Assert.Empty(model.CallSizes);

        time.Advance(delay);
        await Task.WhenAll(first, second).WaitAsync(Deadline);
        Assert.Equal([2], model.CallSizes);
    }

    [Fact]
    public async Task A_full_queue_refuses_with_a_typed_signal()
    {
        using var model = new LinearTestModel([]);
        var time = new FakeTimeProvider();
        using var gate = new ManualResetEventSlim(false);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var metrics = new WorldClusterMetrics(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
        using var batcher = new StepBatcher(model, new StepBatcherOptions { MaxBatchSize = 1, MaxQueueDelay = TimeSpan.Zero, QueueCapacity = 2 },
            time, metrics, NullLogger.Instance);
        batcher.Start();
        var state = (await batcher.InitAsync(new WorldSeed(1, 2)).WaitAsync(Deadline)).State;
        model.OnCall = () =>
        {
            entered.TrySetResult();
            gate.Wait(Deadline);
        };

        var running = batcher.StepAsync(state, [0, 0]);
        await entered.Task.WaitAsync(Deadline);
        var queued = new[] { batcher.StepAsync(state, [0, 0]), batcher.StepAsync(state, [0, 0]) };

        var refused = Assert.Throws<StepQueueFullException>(() => { _ = batcher.StepAsync(state, [0, 0]); });
        Assert.Equal(model.Manifest.Name, refused.Model);
        Assert.Equal(1, metrics.QueueRejections.WithLabels(model.Manifest.Name).Value);
        Assert.Equal(2, batcher.QueueDepth);

        gate.Set();
        await Task.WhenAll([running, .. queued]).WaitAsync(Deadline);
    }

    [Fact]
    public async Task Each_batched_call_reports_its_forward_pass_apart_from_the_whole_call()
    {
        using var model = new LinearTestModel([]);
        var metrics = new WorldClusterMetrics(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
        using var batcher = new StepBatcher(model, new StepBatcherOptions { MaxBatchSize = 1, MaxQueueDelay = TimeSpan.Zero },
            TimeProvider.System, metrics, NullLogger.Instance);
        batcher.Start();
        var state = (await batcher.InitAsync(new WorldSeed(1, 2)).WaitAsync(Deadline)).State;

        var result = await batcher.StepAsync(state, [0, 0]).WaitAsync(Deadline);

        var name = model.Manifest.Name;
        var forward = metrics.ForwardSeconds.WithLabels(name, "step");
        var call = metrics.StepSeconds.WithLabels(name, "step");
        Assert.Equal(1, forward.Count);
        Assert.Equal(1, metrics.ForwardSeconds.WithLabels(name, "init").Count);
        Assert.Equal(result.ForwardSeconds, forward.Sum, 9);
        Assert.InRange(forward.Sum, 0, call.Sum);
    }

    [Fact]
    public async Task Live_tensors_are_counted_after_each_batch_with_none_running()
    {
        using var model = new LinearTestModel([]);
        var metrics = new WorldClusterMetrics(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()), () => 46);
        using var batcher = new StepBatcher(model, new StepBatcherOptions { MaxBatchSize = 1, MaxQueueDelay = TimeSpan.Zero },
            TimeProvider.System, metrics, NullLogger.Instance);
        var inFlightDuringCalls = new List<int>();
        model.OnCall = () => inFlightDuringCalls.Add(metrics.Tensors.InFlight);
        batcher.Start();

        var state = (await batcher.InitAsync(new WorldSeed(1, 2)).WaitAsync(Deadline)).State;
        // One thread runs the batches: the step's batch starts only after the init batch has ended and been counted.
        await batcher.StepAsync(state, [0, 0]).WaitAsync(Deadline);

        Assert.Equal([1, 1], inFlightDuringCalls);
        Assert.Equal(46, metrics.LiveTensorsBetweenBatches.Value);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(40)]
    public async Task A_batch_of_worlds_gives_exactly_the_results_of_single_steps(int worlds)
    {
        using var model = new LinearTestModel(Buckets);
        var time = new FakeTimeProvider();
        using var together = Start(model, time, maxBatch: worlds, delay: TimeSpan.FromHours(1));
        using var alone = Start(model, time, maxBatch: 1, delay: TimeSpan.Zero);
        var states = await InitMany(model, worlds);
        var batched = states;
        var singles = states;

        for (var tick = 0; tick < 3; tick++)
        {
            var actions = Enumerable.Range(0, worlds).Select(w => new[] { (w + tick) % 4, (w * 3 + tick) % 4 }).ToArray();
            var b = await Task.WhenAll(batched.Select((s, w) => together.StepAsync(s, actions[w]))).WaitAsync(Deadline);
            var s1 = new ModelStepResult[worlds];
            for (var w = 0; w < worlds; w++)
            {
                s1[w] = await alone.StepAsync(singles[w], actions[w]).WaitAsync(Deadline);
            }
            for (var w = 0; w < worlds; w++)
            {
                Assert.Equal(s1[w].State.Tensors[0].Data, b[w].State.Tensors[0].Data);
                Assert.Equal(s1[w].Frame, b[w].Frame);
            }
            batched = [.. b.Select(r => r.State)];
            singles = [.. s1.Select(r => r.State)];
        }
        Assert.All(model.CallSizes, size => Assert.Contains(size, Buckets));
    }

    [Fact]
    public async Task Without_buckets_the_same_model_is_not_batch_invariant()
    {
        // The control for the test above: if libtorch gave equal results at every batch size, that test would prove nothing.
        using var model = new LinearTestModel([]);
        var time = new FakeTimeProvider();
        using var together = Start(model, time, maxBatch: 5, delay: TimeSpan.FromHours(1));
        using var alone = Start(model, time, maxBatch: 1, delay: TimeSpan.Zero);
        var states = await InitMany(model, 5);

        var b = await Task.WhenAll(states.Select(s => together.StepAsync(s, [1, 1]))).WaitAsync(Deadline);
        var differs = false;
        for (var w = 0; w < 5; w++)
        {
            var single = await alone.StepAsync(states[w], [1, 1]).WaitAsync(Deadline);
            differs |= !single.State.Tensors[0].Data.AsSpan().SequenceEqual(b[w].State.Tensors[0].Data);
        }
        Assert.True(differs, "batch size 1 and 5 gave bit-identical Linear outputs; NUMERICS.md says they should not");
    }

    [Fact]
    public async Task Every_tensor_of_a_step_is_disposed_after_it()
    {
        using var model = new LinearTestModel(Buckets);
        var time = new FakeTimeProvider();
        using var batcher = Start(model, time, maxBatch: 1, delay: TimeSpan.Zero);
        var state = (await InitMany(model, 1))[0];

        await batcher.StepAsync(state, [1, 0]).WaitAsync(Deadline);

        Assert.NotEmpty(model.LastCallTensors);
        Assert.All(model.LastCallTensors, t => Assert.True(t.IsInvalid, "a step tensor outlived its step"));
    }

    [Fact]
    public async Task A_failing_model_fails_only_the_requests_of_its_batch()
    {
        using var model = new LinearTestModel([]);
        var time = new FakeTimeProvider();
        using var batcher = Start(model, time, maxBatch: 1, delay: TimeSpan.Zero);
        var state = (await InitMany(model, 1))[0];
        model.OnCall = () => throw new InvalidOperationException("boom");

        var failed = await Assert.ThrowsAsync<ModelStepException>(() => batcher.StepAsync(state, [0, 0]).WaitAsync(Deadline));
        Assert.Contains("boom", failed.Message, StringComparison.Ordinal);

        model.OnCall = null;
        var ok = await batcher.StepAsync(state, [0, 0]).WaitAsync(Deadline);
        Assert.Equal(state.Tensors[0].Data.Length, ok.State.Tensors[0].Data.Length);
    }

    private static StepBatcher Start(IWorldModel model, TimeProvider time, int maxBatch, TimeSpan delay)
    {
        var metrics = new WorldClusterMetrics(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
        var batcher = new StepBatcher(model, new StepBatcherOptions { MaxBatchSize = maxBatch, MaxQueueDelay = delay }, time, metrics, NullLogger.Instance);
        batcher.Start();
        return batcher;
    }

    // Worlds start through their own unbatched batcher, so creating them never waits on fake time.
    private static async Task<WorldState[]> InitMany(IWorldModel model, int count)
    {
        using var batcher = Start(model, TimeProvider.System, maxBatch: 1, delay: TimeSpan.Zero);
        var results = new WorldState[count];
        for (var i = 0; i < count; i++)
        {
            results[i] = (await batcher.InitAsync(new WorldSeed(100 + i, 2)).WaitAsync(Deadline)).State;
        }
        return results;
    }
}
