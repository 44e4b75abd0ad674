using Microsoft.Extensions.Logging.Abstractions;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Batching;

// A silo's resident state budget: never exceeded, however many worlds step at once; spilled worlds come back exactly.
public sealed class ResidentBudgetTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private const int Players = 2;

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public async Task The_budget_is_never_exceeded_and_every_spilled_world_resumes_with_its_digest(int budgetWorlds)
    {
        using var model = new LinearTestModel([8, 16]);
        var rowBytes = model.Manifest.StoredState.Sum(s => s.ByteCount);
        var budget = new ResidentBudget(new ResidentStateOptions { ResidentStateBudgetBytes = budgetWorlds * rowBytes });
        var metrics = NewMetrics();
        using var batcher = new StepBatcher(model, new StepBatcherOptions { MaxBatchSize = 64, MaxQueueDelay = TimeSpan.FromMilliseconds(1) },
            TimeProvider.System, metrics, NullLogger.Instance, budget);
        var overBudgetAtACall = 0L;
        // On the batcher thread, before every model call: what the batchers hold then, the call's input aside.
        model.OnCall = () => overBudgetAtACall = Math.Max(overBudgetAtACall, budget.UsedBytes - budget.BudgetBytes);
        var overBudgetAtASpill = 0L;
        // On the batcher thread, after each spill: a call's rows are counted only once there is room for them.
        batcher.Spilled += _ => overBudgetAtASpill = Math.Max(overBudgetAtASpill, budget.UsedBytes - budget.BudgetBytes);
        batcher.Start();
        using var reference = new StepBatcher(model, new StepBatcherOptions { MaxBatchSize = 1, MaxQueueDelay = TimeSpan.Zero },
            TimeProvider.System, NewMetrics(), NullLogger.Instance);
        reference.Start();
        const int worlds = 12;
        var states = new WorldState[worlds];
        for (var w = 0; w < worlds; w++)
        {
            states[w] = (await reference.InitAsync(new WorldSeed(300 + w, Players)).WaitAsync(Deadline)).State;
        }
        var ticks = new long[worlds];
        var random = new Random(11);

        for (var round = 0; round < 30; round++)
        {
            var members = Enumerable.Range(0, worlds).Where(_ => round == 0 || random.Next(2) == 0).ToArray();
            // Every member's step is queued from its own task at once, as grains on many threads would.
            var steps = members.Select(w => Task.Run(() => batcher.ResidentStepAsync($"w{w}", ticks[w], Players,
                ticks[w] == 0 ? states[w] : WorldState.Resident, [round % 4, w % 4], wantHost: false))).ToArray();
            var results = await Task.WhenAll(steps).WaitAsync(Deadline);
            for (var i = 0; i < members.Length; i++)
            {
                var w = members[i];
                states[w] = (await reference.StepAsync(states[w], [round % 4, w % 4]).WaitAsync(Deadline)).State;
                ticks[w]++;
                Assert.Equal(StateDigest.Compute(model.Manifest.Id, ticks[w], Players, states[w]), results[i].Digest);
            }
            Assert.InRange(budget.UsedBytes, 0, budget.BudgetBytes);
            Assert.InRange(batcher.ResidentWorlds, 0, budgetWorlds);
        }

        Assert.Equal(0, overBudgetAtACall);
        Assert.Equal(0, overBudgetAtASpill);
        var name = model.Manifest.Name;
        Assert.True(metrics.StateSpills.WithLabels(name).Value > 0, "nothing was spilled");
        Assert.True(metrics.StateResumes.WithLabels(name).Value > 0, "nothing resumed");
        Assert.Equal(metrics.StateResumes.WithLabels(name).Value, metrics.StateResumeSeconds.WithLabels(name).Count);
        // A spilled world's state reads back too (for a snapshot or a fork), at its tick only.
        for (var w = 0; w < worlds; w++)
        {
            var read = await batcher.ReadStateAsync($"w{w}", ticks[w]).WaitAsync(Deadline);
            Assert.NotNull(read);
            Assert.Equal(states[w].Tensors[0].Data, read.Tensors[0].Data);
        }
    }

    [Fact]
    public async Task A_batcher_that_cannot_free_enough_itself_has_the_other_models_batchers_spill()
    {
        using var first = new LinearTestModel([8], "linear-a");
        using var second = new LinearTestModel([8], "linear-b");
        var rowBytes = first.Manifest.StoredState.Sum(s => s.ByteCount);
        var budget = new ResidentBudget(new ResidentStateOptions { ResidentStateBudgetBytes = 4 * rowBytes });
        var options = new StepBatcherOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.Zero };
        using var a = new StepBatcher(first, options, TimeProvider.System, NewMetrics(), NullLogger.Instance, budget);
        using var b = new StepBatcher(second, options, TimeProvider.System, NewMetrics(), NullLogger.Instance, budget);
        a.Start();
        b.Start();
        var seed = (await a.InitAsync(new WorldSeed(1, Players)).WaitAsync(Deadline)).State;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => a.ResidentStepAsync($"a{w}", 0, Players, seed, [0, 0], wantHost: false))).WaitAsync(Deadline);
        Assert.Equal(4 * rowBytes, budget.UsedBytes);

        await Task.WhenAll(Enumerable.Range(0, 3).Select(w => b.ResidentStepAsync($"b{w}", 0, Players, seed, [0, 0], wantHost: false))).WaitAsync(Deadline);
        // The request to spill was queued on a's thread before b answered; anything queued after it runs after it.
        await a.ReadStateAsync("a0", 1).WaitAsync(Deadline);

        Assert.InRange(budget.UsedBytes, 0, budget.BudgetBytes);
        Assert.Equal(3, b.ResidentWorlds);
        Assert.Equal(1, a.ResidentWorlds);
    }

    private static WorldClusterMetrics NewMetrics() => new(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
}
