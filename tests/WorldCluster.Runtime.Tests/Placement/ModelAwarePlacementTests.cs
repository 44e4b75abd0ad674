using Microsoft.Extensions.DependencyInjection;
using WorldCluster.Abstractions;
using WorldCluster.Contracts;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Reference;
using WorldCluster.Runtime.Hosting;
using WorldCluster.Runtime.Placement;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Runtime.Tests.Placement;

/// <summary>
/// A cluster of a gateway-only silo, a silo serving the reference world and two silos serving the GEMM test model:
/// worlds land only on silos that serve their model, spread across them, and never on the gateway.
/// </summary>
public sealed class ModelAwarePlacementTests : IAsyncLifetime
{
    // Silo index → role and models.
    private static readonly (string Role, string[] Models)[] Layout =
    [
        (SiloRole.Gateway, []),
        (SiloRole.Model, ["reference-world"]),
        (SiloRole.Model, ["linear-test"]),
        (SiloRole.Model, ["linear-test"]),
    ];

    private InProcessWorldCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await InProcessWorldCluster.StartAsync("placement", (short)Layout.Length, (builder, root) =>
    {
        builder.ConfigureSilo((options, silo) =>
        {
            var (role, models) = Layout[Index(options.SiloName)];
            silo.UseWorldClusterRole(role, models);
        });
        builder.ConfigureSiloHost((options, host) =>
        {
            var (_, models) = Layout[Index(options.SiloName)];
            host.Services.AddWorldClusterRuntime().AddWorldClusterLocalFileStore(root);
            if (models.Contains("reference-world"))
            {
                host.Services.AddWorldClusterModel<ReferenceWorld>();
            }
            if (models.Contains("linear-test"))
            {
                host.Services.AddSingleton<IWorldModel>(_ => new LinearTestModel([]));
            }
        });
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Worlds_go_only_to_silos_serving_their_model_and_spread_across_them()
    {
        var placed = new List<(string Model, int Silo)>();
        foreach (var model in Enumerable.Repeat("reference-world", 8).Concat(Enumerable.Repeat("linear-test", 16)))
        {
            var id = WorldId.New();
            RequestContext.Set(ModelAwarePlacement.ModelKey, model);
            await _cluster.Client.GetGrain<IWorldGrain>(id).CreateAsync(new CreateWorldRequest(model, 1, null));
            RequestContext.Clear();
            placed.Add((model, HostOf(id)));
        }

        Assert.All(placed.Where(p => p.Model == "reference-world"), p => Assert.Equal(1, p.Silo));
        var linear = placed.Where(p => p.Model == "linear-test").Select(p => p.Silo).ToList();
        Assert.All(linear, s => Assert.Contains(s, new[] { 2, 3 }));
        Assert.InRange(linear.Count(s => s == 2), 4, 12);
        Assert.DoesNotContain(placed, p => p.Silo == 0);
    }

    [Fact]
    public async Task A_world_reactivated_without_a_hint_goes_back_to_a_silo_serving_its_model()
    {
        var id = WorldId.New();
        RequestContext.Set(ModelAwarePlacement.ModelKey, "reference-world");
        var world = _cluster.Client.GetGrain<IWorldGrain>(id);
        var created = await world.CreateAsync(new CreateWorldRequest("reference-world", 4, null));
        RequestContext.Clear();
        await _cluster.Cluster.DeactivateAsync(world);
        await _cluster.Cluster.WaitForDeactivationAsync(world);

        var back = await world.GetAsync(); // no model in the request context: placement reads the stored head

        Assert.Equal(created.StateDigest, back.StateDigest);
        Assert.Equal(1, HostOf(id));
    }

    private int HostOf(string worldId)
    {
        var grainId = _cluster.Client.GetGrain<IWorldGrain>(worldId).GetGrainId();
        if (!_cluster.Cluster.TryGetGrainContext(grainId, out var context) || context is null)
        {
            return -1;
        }
        for (var i = 0; i < _cluster.Cluster.Silos.Count; i++)
        {
            if (_cluster.Cluster.Silos[i].SiloAddress.Equals(context.Address.SiloAddress))
            {
                return i;
            }
        }
        return -1;
    }

    // The in-process test cluster names its silos Silo_0, Silo_1, … in start order.
    private static int Index(string siloName) =>
        siloName.StartsWith("Silo_", StringComparison.Ordinal)
            ? int.Parse(siloName["Silo_".Length..], System.Globalization.CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"unexpected silo name {siloName}");
}
