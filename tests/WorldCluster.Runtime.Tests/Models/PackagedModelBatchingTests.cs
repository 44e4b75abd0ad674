using Microsoft.Extensions.Logging.Abstractions;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Packages;
using WorldCluster.Models.Tests.Packages;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Metrics;

namespace WorldCluster.Runtime.Tests.Models;

/// <summary>Packaged models stepped through the <see cref="StepBatcher"/>: batching keeps their bits, and a NaN fails only its world.</summary>
public sealed class PackagedModelBatchingTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly PackageFolders _folders = new();
    private readonly ModelArchitectures _architectures = PoisonTestModel.Register(new ModelArchitectures());

    public void Dispose() => _folders.Dispose();

    [Fact]
    public async Task Torchscript_worlds_step_to_the_same_bits_alone_and_in_a_batch()
    {
        using var model = ModelPackageLoader.Load(ModelPackageReader.Read(PackageFolders.Fixture), _architectures);
        const int Worlds = 5;
        using var alone = Start(model, maxBatch: 1);
        using var together = Start(model, maxBatch: Worlds);
        var first = await Task.WhenAll(Enumerable.Range(0, Worlds).Select(i => alone.InitAsync(new WorldSeed(40 + i, 1 + (i % 2)))));
        var a = first.Select(r => r.State).ToArray();
        var b = a;
        for (var tick = 0; tick < 4; tick++)
        {
            int[][] actions = [.. Enumerable.Range(0, Worlds).Select(i => new[] { (tick + i) % 5, (tick * 2 + i) % 5 })];
            var stepAlone = new ModelStepResult[Worlds];
            for (var i = 0; i < Worlds; i++)
            {
                stepAlone[i] = await alone.StepAsync(a[i], actions[i]).WaitAsync(Deadline);
            }
            var stepTogether = await Task.WhenAll(Enumerable.Range(0, Worlds).Select(i => together.StepAsync(b[i], actions[i]))).WaitAsync(Deadline);
            for (var i = 0; i < Worlds; i++)
            {
                Assert.Equal(stepAlone[i].Frame, stepTogether[i].Frame);
                Assert.Equal(stepAlone[i].State.Tensors.Select(t => t.Data), stepTogether[i].State.Tensors.Select(t => t.Data));
            }
            a = [.. stepAlone.Select(r => r.State)];
            b = [.. stepTogether.Select(r => r.State)];
        }
        // The balls moved: the test compared real steps, not a frozen world.
        Assert.NotEqual(first[0].State.Tensors[0].Data, a[0].Tensors[0].Data);
    }

    [Fact]
    public async Task A_nan_step_fails_only_its_world_and_leaves_its_neighbours_stepping()
    {
        using var model = ModelPackageLoader.Load(ModelPackageReader.Read(_folders.WritePoison("poison", "poison")), _architectures);
        using var batcher = Start(model, maxBatch: 2);
        var worlds = await Task.WhenAll(batcher.InitAsync(new WorldSeed(10, 1)), batcher.InitAsync(new WorldSeed(20, 1))).WaitAsync(Deadline);

        var poisoned = batcher.StepAsync(worlds[0].State, [PoisonTestModel.Poison]);
        var healthy = batcher.StepAsync(worlds[1].State, [1]);

        var e = await Assert.ThrowsAsync<ModelStepException>(() => poisoned.WaitAsync(Deadline));
        Assert.Contains("poison@1.0.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("'x' holds NaN or infinite values", e.Message, StringComparison.Ordinal);
        var next = await healthy.WaitAsync(Deadline);
        Assert.Equal(21f, BitConverter.ToSingle(next.State.Tensors[0].Data, 0));
    }

    private static StepBatcher Start(IWorldModel model, int maxBatch)
    {
        var metrics = new WorldClusterMetrics(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
        // A batch runs when it is full; the long delay only bounds a test that would otherwise hang.
        var options = new StepBatcherOptions { MaxBatchSize = maxBatch, MaxQueueDelay = TimeSpan.FromMinutes(1) };
        var batcher = new StepBatcher(model, options, TimeProvider.System, metrics, NullLogger.Instance);
        batcher.Start();
        return batcher;
    }
}
