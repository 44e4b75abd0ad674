using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Packages;
using WorldCluster.Models.Reference;
using WorldCluster.Models.Tests.Native;
using WorldCluster.Models.Tests.Packages;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Memory;
using WorldCluster.Runtime.Metrics;
using static TorchSharp.torch;

namespace WorldCluster.Runtime.Tests.Native;

/// <summary>
/// The runtime's own tensor code (scene memory, TorchScript packages, the batcher around a model) leaves no Scalar and
/// no Tensor to the finalizer, where one could be freed while libtorch still reads it (see WorldCluster.Models.Torch.Scalars).
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class NoNativeValueFinalizedTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly MemorySpec Spec = new("room", new StateTensorSpec("v", StateDType.Int64, [2]), MaxEntries: 3);

    [Fact]
    public void Scene_memory_writes_leave_nothing_to_the_finalizer() => AssertNothingFinalized(FinalizerWatch.During(() =>
    {
        using var scope = NewDisposeScope();
        var table = SceneMemoryTable.Empty(Spec, 2, CPU);
        for (var i = 0; i < 10; i++)
        {
            var keys = tensor(new long[] { i % 4, -1, 7, i % 5 }, [2, 2]);
            var entries = tensor(Enumerable.Range(0, 8).Select(v => (long)(v + i)).ToArray(), [2, 2, 2]);
            table = SceneMemoryTable.Write(Spec, table, new MemoryWrite(keys, entries));
        }
    }, typeof(Scalar), typeof(Tensor)));

    [Fact]
    public void A_torchscript_package_leaves_nothing_to_the_finalizer()
    {
        using var model = ModelPackageLoader.Load(ModelPackageReader.Read(PackageFolders.Fixture), new ModelArchitectures());
        AssertNothingFinalized(FinalizerWatch.During(() =>
        {
            using var scope = NewDisposeScope();
            var output = model.Init([new WorldSeed(1, 2), new WorldSeed(2, 1), new WorldSeed(3, 2)]);
            for (var tick = 0; tick < 5; tick++)
            {
                output = model.Step(output.State, tensor(Enumerable.Range(0, 6).Select(i => (long)((i + tick) % 5)).ToArray(), [3, 2]));
            }
        }, typeof(Scalar), typeof(Tensor)));
    }

    [Fact]
    public async Task The_batcher_stepping_the_reference_world_leaves_nothing_to_the_finalizer()
    {
        using var model = new ReferenceWorld();
        var metrics = new WorldClusterMetrics(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
        var options = new StepBatcherOptions { MaxBatchSize = 3, MaxQueueDelay = TimeSpan.FromMinutes(1) };
        using var batcher = new StepBatcher(model, options, TimeProvider.System, metrics, NullLogger.Instance);
        batcher.Start();
        AssertNothingFinalized(await FinalizerWatch.DuringAsync(async () =>
        {
            var worlds = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => batcher.InitAsync(new WorldSeed(70 + i, 2)))).WaitAsync(Deadline);
            var states = worlds.Select(w => w.State).ToArray();
            for (var tick = 0; tick < 5; tick++)
            {
                var stepped = await Task.WhenAll(states.Select((s, i) => batcher.StepAsync(s, [(tick + i) % 6, 1]))).WaitAsync(Deadline);
                states = [.. stepped.Select(r => r.State)];
            }
        }, typeof(Scalar), typeof(Tensor)));
    }

    private static void AssertNothingFinalized(IReadOnlyDictionary<Type, int> finalized)
    {
        Assert.Equal(0, finalized[typeof(Scalar)]);
        Assert.Equal(0, finalized[typeof(Tensor)]);
    }
}
