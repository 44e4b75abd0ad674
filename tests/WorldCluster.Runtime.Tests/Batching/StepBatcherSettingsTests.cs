using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Batching;

public sealed class StepBatcherSettingsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Once_a_batch_is_as_large_as_the_previous_one_it_runs_without_waiting_for_the_delay()
    {
        using var model = new LinearTestModel([]);
        var time = new FakeTimeProvider();
        using var batcher = Start(model, time, new StepBatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromHours(1) });
        var states = await InitMany(model, 3);
        model.CallSizes.Clear();

        // The first batch has nothing to go by: it waits the full delay for company.
        var waitingWithThree = Waiting(batcher, 3);
        var first = states.Select(s => batcher.StepAsync(s, [1, 0])).ToArray();
        await waitingWithThree.WaitAsync(Deadline);
        time.Advance(TimeSpan.FromHours(1));
        await Task.WhenAll(first).WaitAsync(Deadline);

        // The same three worlds come back: the batch runs as soon as all three are in, with time standing still.
        var second = states.Select(s => batcher.StepAsync(s, [2, 0])).ToArray();
        await Task.WhenAll(second).WaitAsync(Deadline);

        Assert.Equal([3, 3], model.CallSizes);
    }

    [Fact]
    public async Task Worlds_queued_while_another_cohort_ran_wait_for_that_cohort_so_the_two_merge_into_one_batch()
    {
        using var model = new LinearTestModel([]);
        var time = new FakeTimeProvider();
        using var batcher = Start(model, time, new StepBatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromHours(1) });
        var states = await InitMany(model, 4);
        model.CallSizes.Clear();

        // Worlds a and b step first (the first batch waits the full delay), and come back on their own without waiting.
        var waitingWithTwo = Waiting(batcher, 2);
        var first = new[] { batcher.StepAsync(states[0], [1, 0], "a"), batcher.StepAsync(states[1], [1, 0], "b") };
        await waitingWithTwo.WaitAsync(Deadline);
        time.Advance(TimeSpan.FromHours(1));
        await Task.WhenAll(first).WaitAsync(Deadline);
        await Task.WhenAll(batcher.StepAsync(states[0], [2, 0], "a"), batcher.StepAsync(states[1], [2, 0], "b")).WaitAsync(Deadline);

        // c and d arrive as a second cohort: as many as the previous batch, but not its worlds, so they wait for a and b.
        var waitingForCohort = Waiting(batcher, 2);
        var late = new[] { batcher.StepAsync(states[2], [3, 0], "c"), batcher.StepAsync(states[3], [3, 0], "d") };
        await waitingForCohort.WaitAsync(Deadline);
        Assert.All(late, s => Assert.False(s.IsCompleted));
        var back = new[] { batcher.StepAsync(states[0], [3, 0], "a"), batcher.StepAsync(states[1], [3, 0], "b") };
        await Task.WhenAll([.. late, .. back]).WaitAsync(Deadline);

        // Then all four are one cohort: they run together as soon as they are back, with time standing still.
        await Task.WhenAll(states.Select((s, i) => batcher.StepAsync(s, [0, 0], ((char)('a' + i)).ToString()))).WaitAsync(Deadline);
        Assert.Equal([2, 2, 4, 4], model.CallSizes);
    }

    [Fact]
    public async Task With_stop_at_previous_batch_size_off_a_partial_batch_always_waits_the_full_delay()
    {
        using var model = new LinearTestModel([]);
        var time = new FakeTimeProvider();
        var options = new StepBatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromHours(1), StopAtPreviousBatchSize = false };
        using var batcher = Start(model, time, options);
        var states = await InitMany(model, 3);
        model.CallSizes.Clear();

        for (var round = 0; round < 2; round++)
        {
            var waitingWithThree = Waiting(batcher, 3);
            var steps = states.Select(s => batcher.StepAsync(s, [1, 0])).ToArray();
            await waitingWithThree.WaitAsync(Deadline);
            Assert.All(steps, s => Assert.False(s.IsCompleted));
            time.Advance(TimeSpan.FromHours(1));
            await Task.WhenAll(steps).WaitAsync(Deadline);
        }

        Assert.Equal([3, 3], model.CallSizes);
    }

    [Fact]
    public async Task Every_result_carries_the_time_its_batch_spent_in_the_model()
    {
        using var model = new LinearTestModel([]);
        using var batcher = Start(model, TimeProvider.System, new StepBatcherOptions { MaxBatchSize = 4, MaxQueueDelay = TimeSpan.Zero });
        var states = await InitMany(model, 2);

        var results = await Task.WhenAll(states.Select(s => batcher.StepAsync(s, [1, 1]))).WaitAsync(Deadline);

        Assert.All(results, r => Assert.True(r.ForwardSeconds > 0, "no forward time measured"));
        Assert.Equal("cpu", batcher.Device);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    [InlineData("cuda:12")]
    public void Device_accepts_cpu_cuda_and_cuda_with_an_index(string device) =>
        new StepBatcherOptions { Device = device }.Validate();

    [Theory]
    [InlineData("gpu")]
    [InlineData("CUDA")]
    [InlineData("cuda:")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void Device_refuses_anything_else_by_name(string device)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new StepBatcherOptions { Device = device }.Validate());
        Assert.Equal(nameof(StepBatcherOptions.Device), e.ParamName);
    }

    [Fact]
    public void A_cuda_device_without_cuda_is_refused_when_the_batcher_is_made()
    {
        if (TorchSharp.torch.cuda.is_available())
        {
            // This machine can run it; the refusal is for machines without a CUDA build of libtorch.
            return;
        }
        using var model = new LinearTestModel([]);

        var e = Assert.Throws<InvalidOperationException>(() => Start(model, TimeProvider.System, new StepBatcherOptions { Device = "cuda" }));

        Assert.Contains("no CUDA device", e.Message, StringComparison.Ordinal);
    }

    private static Task Waiting(StepBatcher batcher, int count)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        batcher.WaitingForMore = n =>
        {
            if (n == count)
            {
                signal.TrySetResult();
            }
        };
        return signal.Task;
    }

    private static StepBatcher Start(IWorldModel model, TimeProvider time, StepBatcherOptions options)
    {
        var metrics = new WorldClusterMetrics(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
        var batcher = new StepBatcher(model, options, time, metrics, NullLogger.Instance);
        batcher.Start();
        return batcher;
    }

    private static async Task<WorldState[]> InitMany(IWorldModel model, int count)
    {
        using var batcher = Start(model, TimeProvider.System, new StepBatcherOptions { MaxBatchSize = 1, MaxQueueDelay = TimeSpan.Zero });
        var results = new WorldState[count];
        for (var i = 0; i < count; i++)
        {
            results[i] = (await batcher.InitAsync(new WorldSeed(100 + i, 2)).WaitAsync(Deadline)).State;
        }
        return results;
    }
}
