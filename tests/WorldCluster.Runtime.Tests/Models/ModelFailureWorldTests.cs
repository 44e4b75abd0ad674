using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using WorldCluster.Abstractions;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Packages;
using WorldCluster.Models.Tests.Packages;
using WorldCluster.Runtime.Hosting;
using WorldCluster.Runtime.Placement;

namespace WorldCluster.Runtime.Tests.Models;

/// <summary>A world of a packaged model whose step turns NaN: the step fails with a clear error and the world keeps its state.</summary>
public sealed class ModelFailureWorldTests : IAsyncLifetime
{
    private PackageFolders Folders { get; } = new();
    private readonly string _data = Directory.CreateTempSubdirectory("worldcluster-poison-").FullName;
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var package = ModelPackageReader.Read(Folders.WritePoison("poison", "poison"));
        var builder = new InProcessTestClusterBuilder(1);
        var data = _data;
        builder.ConfigureSilo((_, silo) => silo.UseWorldClusterRole(SiloRole.Both, ["poison", "poison@1.0.0"]));
        builder.ConfigureSiloHost((_, host) => host.Services
            .AddWorldClusterRuntime(o => o.MaxQueueDelay = TimeSpan.Zero)
            .AddWorldClusterLocalFileStore(data)
            .AddSingleton<IWorldModel>(_ => ModelPackageLoader.Load(package, PoisonTestModel.Register(new ModelArchitectures()))));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        Folders.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task A_nan_step_fails_with_model_failed_and_the_world_steps_on_from_its_old_state()
    {
        var world = _cluster.Client.GetGrain<IWorldGrain>("poisoned");
        RequestContext.Set(ModelAwarePlacement.ModelKey, "poison");
        var created = await world.CreateAsync(new CreateWorldRequest("poison", Seed: 5, Players: 1));
        var first = await world.StepAsync(new StepRequest([1]));

        var e = await Assert.ThrowsAsync<WorldRequestException>(() => world.StepAsync(new StepRequest([PoisonTestModel.Poison])));

        Assert.Equal(WorldErrorKind.ModelFailed, e.Kind);
        Assert.Contains("model 'poison@1.0.0' failed the step: its output 'x' holds NaN or infinite values", e.Message, StringComparison.Ordinal);
        var after = await world.GetAsync();
        Assert.Equal((1, first.StateDigest), (after.Tick, after.StateDigest));
        var next = await world.StepAsync(new StepRequest([2]));
        Assert.Equal(2, next.Tick);
        Assert.NotEqual(created.StateDigest, next.StateDigest);
    }
}
