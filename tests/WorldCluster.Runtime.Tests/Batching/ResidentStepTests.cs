using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Batching;

// Worlds whose state stays with the batcher between steps: the same bits as the host path, whatever the batches.
public sealed class ResidentStepTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(10);
    private const int Players = 2;

    public static TheoryData<int[]> Buckets => new() { Array.Empty<int>(), new[] { 8, 16 } };

    [Theory]
    [MemberData(nameof(Buckets))]
    public async Task Resident_steps_reach_the_bits_and_digests_of_host_steps_whatever_the_batches(int[] buckets)
    {
        using var model = new LinearTestModel(buckets);
        var (residentTime, hostTime) = (new FakeTimeProvider(), new FakeTimeProvider());
        using var resident = Start(model, residentTime);
        using var host = Start(model, hostTime);
        var states = await InitMany(model, 6);
        var names = states.Select((_, i) => $"w{i}").ToArray();
        var ticks = new long[states.Length];
        int[][] rounds = [[0, 1, 2, 3, 4, 5], [5, 4, 3], [0, 1, 2, 3, 4, 5], [2], [1, 3, 5, 0], [0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5], [4, 2]];
        var uploaded = new bool[states.Length];

        for (var r = 0; r < rounds.Length; r++)
        {
            var round = rounds[r];
            var actions = round.Select(w => new[] { (w + r) % 4, (w * r) % 4 }).ToArray();
            var expected = await RunRound(host, hostTime, round.Length,
                () => [.. round.Select((w, i) => host.StepAsync(states[w], actions[i]))]);
            var wantHost = r % 3 == 2;
            var got = await RunRound(resident, residentTime, round.Length, () => [.. round.Select((w, i) =>
                resident.ResidentStepAsync(names[w], ticks[w], Players, uploaded[w] ? WorldState.Resident : states[w], actions[i], wantHost))]);

            for (var i = 0; i < round.Length; i++)
            {
                var w = round[i];
                ticks[w]++;
                uploaded[w] = true;
                states[w] = expected[i].State;
                Assert.Equal(expected[i].Frame, got[i].Frame);
                Assert.Equal(StateDigest.Compute(model.Manifest.Id, ticks[w], Players, states[w]), got[i].Digest);
                Assert.Equal(wantHost, !got[i].State.IsResident);
                var read = await resident.ReadStateAsync(names[w], ticks[w]).WaitAsync(Deadline);
                Assert.NotNull(read);
                Assert.Equal(states[w].Tensors[0].Data, read.Tensors[0].Data);
                if (wantHost)
                {
                    Assert.Equal(states[w].Tensors[0].Data, got[i].State.Tensors[0].Data);
                }
            }
        }
        Assert.Equal(states.Length, resident.ResidentWorlds);
    }

    [Fact]
    public async Task The_same_worlds_in_the_same_order_step_on_the_last_output_without_a_copy()
    {
        using var model = new LinearTestModel([8]);
        var time = new FakeTimeProvider();
        using var batcher = Start(model, time);
        var states = await InitMany(model, 8);
        model.StatePointers.Clear();

        for (var tick = 0; tick < 3; tick++)
        {
            await RunRound(batcher, time, 8, () => [.. states.Select((s, w) =>
                batcher.ResidentStepAsync($"w{w}", tick, Players, tick == 0 ? s : WorldState.Resident, [1, 2], wantHost: false))]);
        }

        Assert.Equal(3, model.StatePointers.Count);
        Assert.Equal(model.StatePointers[0].Output, model.StatePointers[1].Input);
        Assert.Equal(model.StatePointers[1].Output, model.StatePointers[2].Input);
    }

    [Fact]
    public async Task A_world_evicted_or_asked_at_another_tick_is_not_held_and_its_batch_mates_step_on()
    {
        using var model = new LinearTestModel([8]);
        using var batcher = Start(model, TimeProvider.System, delay: TimeSpan.Zero);
        var states = await InitMany(model, 2);
        await Task.WhenAll(states.Select((s, w) => batcher.ResidentStepAsync($"w{w}", 0, Players, s, [0, 0], wantHost: false))).WaitAsync(Deadline);
        Assert.Equal(2, batcher.ResidentWorlds);

        Assert.Null(await batcher.ReadStateAsync("w0", 0).WaitAsync(Deadline));
        Assert.Null(await batcher.ReadStateAsync("nobody", 1).WaitAsync(Deadline));
        await batcher.EvictAsync("w0").WaitAsync(Deadline);
        Assert.Equal(1, batcher.ResidentWorlds);
        Assert.Null(await batcher.ReadStateAsync("w0", 1).WaitAsync(Deadline));

        var gone = batcher.ResidentStepAsync("w0", 1, Players, WorldState.Resident, [0, 0], wantHost: false);
        var stale = batcher.ResidentStepAsync("w1", 0, Players, WorldState.Resident, [0, 0], wantHost: false);
        var fine = batcher.ResidentStepAsync("w1", 1, Players, WorldState.Resident, [0, 0], wantHost: false);
        Assert.Equal("w0", (await Assert.ThrowsAsync<StateNotResidentException>(() => gone.WaitAsync(Deadline))).World);
        await Assert.ThrowsAsync<StateNotResidentException>(() => stale.WaitAsync(Deadline));
        Assert.NotNull((await fine.WaitAsync(Deadline)).Digest);
        Assert.NotNull(await batcher.ReadStateAsync("w1", 2).WaitAsync(Deadline));
    }

    [Fact]
    public async Task Device_memory_held_stays_within_twice_the_worlds_state_bytes_and_is_freed_by_eviction()
    {
        using var model = new LinearTestModel([8, 16]);
        using var batcher = Start(model, TimeProvider.System, delay: TimeSpan.Zero);
        const int worlds = 12;
        var states = await InitMany(model, worlds);
        var ticks = new long[worlds];
        var rowBytes = model.Manifest.StoredState.Sum(s => s.ByteCount);
        var random = new Random(7);

        for (var round = 0; round < 40; round++)
        {
            var members = Enumerable.Range(0, worlds).Where(_ => random.Next(3) == 0 || round == 0).ToArray();
            await Task.WhenAll(members.Select(w => batcher.ResidentStepAsync($"w{w}", ticks[w], Players,
                ticks[w] == 0 ? states[w] : WorldState.Resident, [round % 4, w % 4], wantHost: false))).WaitAsync(Deadline);
            foreach (var w in members)
            {
                ticks[w]++;
            }
            Assert.Equal(worlds, batcher.ResidentWorlds);
            Assert.InRange(batcher.ResidentBytes, worlds * rowBytes, 2 * worlds * rowBytes);
        }

        for (var w = 0; w < worlds; w++)
        {
            await batcher.EvictAsync($"w{w}").WaitAsync(Deadline);
        }
        Assert.Equal(0, batcher.ResidentWorlds);
        Assert.Equal(0, batcher.ResidentBytes);
    }

    // Runs one batch of exactly the requests start() queues: they wait for company until all are in, then time moves on.
    private static async Task<ModelStepResult[]> RunRound(StepBatcher batcher, FakeTimeProvider time, int count, Func<Task<ModelStepResult>[]> start)
    {
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        batcher.WaitingForMore = n =>
        {
            if (n == count)
            {
                waiting.TrySetResult();
            }
        };
        var all = Task.WhenAll(start());
        if (await Task.WhenAny(all, waiting.Task).WaitAsync(Deadline) == waiting.Task)
        {
            time.Advance(Delay);
        }
        return await all.WaitAsync(Deadline);
    }

    private static StepBatcher Start(IWorldModel model, TimeProvider time, TimeSpan? delay = null)
    {
        var metrics = new WorldClusterMetrics(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
        var options = new StepBatcherOptions { MaxBatchSize = 64, MaxQueueDelay = delay ?? Delay, StopAtPreviousBatchSize = false };
        var batcher = new StepBatcher(model, options, time, metrics, NullLogger.Instance);
        batcher.Start();
        return batcher;
    }

    private static async Task<WorldState[]> InitMany(IWorldModel model, int count)
    {
        using var batcher = Start(model, TimeProvider.System, delay: TimeSpan.Zero);
        var results = new WorldState[count];
        for (var i = 0; i < count; i++)
        {
            results[i] = (await batcher.InitAsync(new WorldSeed(100 + i, Players)).WaitAsync(Deadline)).State;
        }
        return results;
    }
}
