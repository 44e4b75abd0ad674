using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using WorldCluster.Abstractions;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Packages;
using WorldCluster.Models.Tests.Packages;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Hosting;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Placement;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldCluster.Runtime.Worlds;
using WorldId = WorldCluster.Contracts.WorldId;

namespace WorldCluster.Runtime.Tests.Models;

/// <summary>
/// Worlds whose state is megabytes (the kv-cache fixture: 4 MiB per world) under a resident budget smaller than the worlds:
/// they spill and resume, the budget holds, and every digest is exact.
/// </summary>
public sealed class MegabyteStateTests : IAsyncLifetime
{
    private const int BudgetWorlds = 3;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private InProcessWorldCluster _cluster = null!;

    /// <inheritdoc />
    public async Task InitializeAsync() => _cluster = await InProcessWorldCluster.StartAsync("megabyte", 1, (builder, root) =>
    {
        builder.ConfigureSilo((_, silo) => silo.UseWorldClusterRole(SiloRole.Both, ["kv-cache"]));
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Services
                .AddWorldClusterRuntime(o => o.MaxQueueDelay = TimeSpan.FromMilliseconds(1))
                .AddSingleton(_ => Load())
                .AddWorldClusterLocalFileStore(root)
                .Configure<ResidentStateOptions>(o => o.ResidentStateBudgetBytes = BudgetWorlds * StateBytes(Load().Manifest))
                // Reactivation replays every tick through the model's host path: the check that resumed steps were exact.
                .Configure<WorldOptions>(o => o.SnapshotOnDeactivate = false);
        });
    });

    /// <inheritdoc />
    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task The_fixture_holds_four_megabytes_a_world_and_its_rows_never_depend_on_their_batch()
    {
        using var model = Load();
        Assert.True(StateBytes(model.Manifest) >= 4 * 1024 * 1024);
        var metrics = new WorldClusterMetrics(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
        using var alone = new StepBatcher(model, new StepBatcherOptions { MaxBatchSize = 1, MaxQueueDelay = TimeSpan.Zero }, TimeProvider.System, metrics, NullLogger.Instance);
        using var together = new StepBatcher(model, new StepBatcherOptions { MaxBatchSize = 3, MaxQueueDelay = TimeSpan.FromSeconds(5) }, TimeProvider.System, metrics, NullLogger.Instance);
        alone.Start();
        together.Start();
        var a = new WorldState[3];
        for (var i = 0; i < 3; i++)
        {
            a[i] = (await alone.InitAsync(new WorldSeed(5 + i, 2)).WaitAsync(Deadline)).State;
        }
        var b = a;
        for (var tick = 0; tick < 3; tick++)
        {
            var stepped = new WorldState[3];
            for (var i = 0; i < 3; i++)
            {
                stepped[i] = (await alone.StepAsync(a[i], [(tick + i) % 5, i % 5]).WaitAsync(Deadline)).State;
            }
            var batch = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => together.StepAsync(b[i], [(tick + i) % 5, i % 5]))).WaitAsync(Deadline);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(stepped[i].Tensors.Select(t => t.Data), batch[i].State.Tensors.Select(t => t.Data));
            }
            (a, b) = (stepped, [.. batch.Select(r => r.State)]);
        }
        Assert.NotEqual(a[0].Tensors[0].Data, a[1].Tensors[0].Data);
    }

    [Fact]
    public async Task Eight_worlds_under_a_budget_of_three_spill_and_resume_with_the_digests_a_replay_reproduces()
    {
        var batchers = _cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<StepBatchers>();
        var metrics = _cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<WorldClusterMetrics>();
        var worlds = Enumerable.Range(0, 8).Select(_ => _cluster.Client.GetGrain<IWorldGrain>(WorldId.New())).ToArray();
        for (var w = 0; w < worlds.Length; w++)
        {
            await worlds[w].CreateAsync(new CreateWorldRequest("kv-cache", 10 + w, 2));
        }
        var last = new StepResult[worlds.Length];
        var random = new Random(3);
        for (var round = 0; round < 10; round++)
        {
            var members = Enumerable.Range(0, worlds.Length).Where(_ => round == 0 || random.Next(2) == 0).ToArray();
            var results = await Task.WhenAll(members.Select(w => worlds[w].StepAsync(new StepRequest([(round + w) % 5, w % 5])))).WaitAsync(Deadline);
            for (var i = 0; i < members.Length; i++)
            {
                last[members[i]] = results[i];
            }
            Assert.InRange(batchers.Budget.UsedBytes, 0, batchers.Budget.BudgetBytes);
        }
        Assert.True(metrics.StateSpills.WithLabels("kv-cache").Value > 0, "nothing spilled");
        Assert.True(metrics.StateResumes.WithLabels("kv-cache").Value > 0, "nothing resumed");

        for (var w = 0; w < worlds.Length; w++)
        {
            await _cluster.Cluster.DeactivateAsync(worlds[w]);
            await _cluster.Cluster.WaitForDeactivationAsync(worlds[w]);
        }
        Assert.Equal(0, batchers.Budget.UsedBytes);
        for (var w = 0; w < worlds.Length; w++)
        {
            // Recovery replays each tick from the journal and refuses the world if a digest differs.
            var back = await worlds[w].GetAsync();
            Assert.Equal(last[w].Tick, back.Tick);
            Assert.Equal(last[w].StateDigest, back.StateDigest);
        }
    }

    private static IWorldModel Load() => ModelPackageLoader.Load(ModelPackageReader.Read(PackageFolders.KvCacheFixture), new ModelArchitectures());

    private static long StateBytes(ModelManifest manifest) => manifest.StoredState.Sum(s => s.ByteCount);
}
