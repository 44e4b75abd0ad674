using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;
using WorldCluster.Runtime.Placement;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Tests.Placement;

/// <summary>
/// A silo's metadata reaches other silos some time after it joins. Placement waits (a bounded time, on the injected clock)
/// for it instead of placing every new world on the silos it already knows.
/// </summary>
public sealed class PlacementMetadataWaitTests : IDisposable
{
    private static readonly SiloAddress SiloA = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
    private static readonly SiloAddress SiloB = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11112), 1);

    private readonly string _root = Directory.CreateTempSubdirectory("worldcluster-placement-wait-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly FakeMetadataCache _metadata = new();
    private readonly ClusterLoadView _load = new();

    public PlacementMetadataWaitTests()
    {
        // B already hosts worlds, so A (empty) wins as soon as placement knows that A serves the model.
        _load.Update(new Dictionary<SiloAddress, SiloLoad>
        {
            [SiloB] = new SiloLoad(50, 0, DateTimeOffset.UnixEpoch),
        });
        _metadata.Set(SiloB, SiloRole.Metadata(SiloRole.Model, ["reference-world"]));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_silo_whose_metadata_arrives_late_is_still_a_candidate()
    {
        var placing = Director().OnAddActivation(new ModelAwarePlacement(), Target(), new FakeContext([SiloA, SiloB]));
        Assert.False(placing.IsCompleted);

        _metadata.Set(SiloA, SiloRole.Metadata(SiloRole.Model, ["reference-world"]));
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(SiloA, await placing.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Metadata_that_never_arrives_leaves_the_known_silos_after_the_wait()
    {
        var placing = Director().OnAddActivation(new ModelAwarePlacement(), Target(), new FakeContext([SiloA, SiloB]));
        Assert.False(placing.IsCompleted);

        _time.Advance(ModelAwarePlacementDirector.MetadataWait / 2);
        Assert.False(placing.IsCompleted);
        for (var waited = TimeSpan.Zero; waited <= ModelAwarePlacementDirector.MetadataWait && !placing.IsCompleted; waited += TimeSpan.FromMilliseconds(50))
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Yield();
        }

        Assert.Equal(SiloB, await placing.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Known_silos_are_placed_on_without_waiting()
    {
        _metadata.Set(SiloA, SiloRole.Metadata(SiloRole.Gateway, []));

        var placing = Director().OnAddActivation(new ModelAwarePlacement(), Target(), new FakeContext([SiloA, SiloB]));

        Assert.True(placing.IsCompleted);
        Assert.Equal(SiloB, await placing);
    }

    [Fact]
    public async Task A_silo_whose_resident_state_budget_is_taken_by_working_worlds_comes_after_one_with_room()
    {
        _metadata.Set(SiloA, SiloRole.Metadata(SiloRole.Model, ["reference-world"]));
        // A holds no world but its budget is full of worlds stepping now; B holds 50 and has room.
        _load.Update(new Dictionary<SiloAddress, SiloLoad>
        {
            [SiloA] = new SiloLoad(0, 0, DateTimeOffset.UnixEpoch, WorkingSetShare: 1.0),
            [SiloB] = new SiloLoad(50, 0, DateTimeOffset.UnixEpoch, WorkingSetShare: 0.5),
        });

        Assert.Equal(SiloB, await Director().OnAddActivation(new ModelAwarePlacement(), Target(), new FakeContext([SiloA, SiloB])));
    }

    private ModelAwarePlacementDirector Director() => new(
        _metadata, _load, new LocalFileWorldStore(new LocalFileWorldStoreOptions { RootPath = _root }, _time), _time,
        NullLogger<ModelAwarePlacementDirector>.Instance);

    private static PlacementTarget Target() => new(
        GrainId.Create("world", "w-placement"),
        new Dictionary<string, object> { [ModelAwarePlacement.ModelKey] = "reference-world" },
        default,
        0);

    private sealed class FakeMetadataCache : ISiloMetadataCache
    {
        private readonly Dictionary<SiloAddress, SiloMetadata> _known = [];

        public void Set(SiloAddress silo, Dictionary<string, string> values)
        {
            // Orleans fills SiloMetadata only from inside (its setter and AddMetadata are internal); a fake cache has to
            // set the property the same way.
            var metadata = new SiloMetadata();
            typeof(SiloMetadata).GetProperty(nameof(SiloMetadata.Metadata))!.SetValue(metadata, values.ToImmutableDictionary());
            lock (_known)
            {
                _known[silo] = metadata;
            }
        }

        public SiloMetadata GetSiloMetadata(SiloAddress siloAddress)
        {
            lock (_known)
            {
                return _known.GetValueOrDefault(siloAddress) ?? SiloMetadata.Empty;
            }
        }
    }

    private sealed class FakeContext(SiloAddress[] silos) : IPlacementContext
    {
        public SiloAddress LocalSilo => silos[0];

        public SiloStatus LocalSiloStatus => SiloStatus.Active;

        public SiloAddress[] GetCompatibleSilos(PlacementTarget target) => silos;

        public IReadOnlyDictionary<ushort, SiloAddress[]> GetCompatibleSilosWithVersions(PlacementTarget target) =>
            new Dictionary<ushort, SiloAddress[]> { [0] = silos };
    }
}
