using TorchSharp;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Reference;
using static TorchSharp.torch;
using static WorldCluster.Models.Tests.Reference.ReferenceTestKit;

namespace WorldCluster.Models.Tests.Reference;

/// <summary>The reference world as an <see cref="IWorldModel"/>: manifest, tensor shapes and types, argument checks, lifetimes.</summary>
public sealed class ReferenceWorldContractTests : IDisposable
{
    private readonly ReferenceWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public void The_manifest_describes_the_reference_world()
    {
        var manifest = _world.Manifest;

        Assert.Equal("reference-world@1.0.0", manifest.Id);
        Assert.Equal(4, manifest.MaxPlayers);
        Assert.Equal(new ObservationShape(3, 64, 64), manifest.Observation);
        Assert.Equal("discrete", manifest.ActionSpace.Type);
        Assert.Equal(["noop", "up", "down", "left", "right", "interact"], manifest.ActionSpace.Names);
        Assert.Equal(Enum.GetValues<PlayerAction>().Select(a => a.ToString().ToLowerInvariant()), manifest.ActionSpace.Names);
        Assert.Equal(0, manifest.ContextLength);
        Assert.True(manifest.BatchInvariant);
        Assert.Empty(manifest.BatchBuckets);
        Assert.Equal(["cells", "players", "active", "scores", "rng"], manifest.State.Select(s => s.Name));
        Assert.Equal([StateDType.UInt8, StateDType.Int64, StateDType.UInt8, StateDType.Int32, StateDType.Int64], manifest.State.Select(s => s.DType));
        Assert.Equal([[32L, 32L], [4L, 2L], [4L], [4L], [1L]], manifest.State.Select(s => s.Shape.ToArray()));
    }

    [Fact]
    public void Init_and_Step_return_tensors_shaped_and_typed_as_the_manifest_says()
    {
        using var scope = NewDisposeScope();
        var init = _world.Init([new WorldSeed(1, 1), new WorldSeed(2, 3), new WorldSeed(3, 4)]);
        var step = _world.Step(init.State, zeros([3, 4], ScalarType.Int64));

        foreach (var output in new[] { init, step })
        {
            Assert.Equal(Manifest.State.Count, output.State.Count);
            for (var i = 0; i < Manifest.State.Count; i++)
            {
                Assert.Equal(Manifest.State[i].DType.ToScalarType(), output.State[i].dtype);
                Assert.Equal([3L, .. Manifest.State[i].Shape], output.State[i].shape);
            }
            Assert.Equal(ScalarType.Byte, output.Frames.dtype);
            Assert.Equal([3L, 3, 64, 64], output.Frames.shape);
            foreach (var state in WorldStateBatch.Unstack(Manifest.State, output.State, 3))
            {
                state.Validate(Manifest.State);
            }
        }
    }

    [Fact]
    public void Step_leaves_its_inputs_untouched()
    {
        using var scope = NewDisposeScope();
        var init = _world.Init([new WorldSeed(5, 4)]);
        var before = WorldStateBatch.Unstack(Manifest.State, init.State, 1)[0];

        _world.Step(init.State, tensor(new long[] { 1, 2, 3, 5 }, [1, 4]));

        Assert.Equal(Hash(before), Hash(WorldStateBatch.Unstack(Manifest.State, init.State, 1)[0]));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => _world.Init([new WorldSeed(1, 0)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => _world.Init([new WorldSeed(1, 5)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => _world.Init([]));
        var init = _world.Init([new WorldSeed(1, 2), new WorldSeed(2, 2)]);
        Assert.Throws<ArgumentException>(() => _world.Step(init.State, zeros([2, 3], ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => _world.Step(init.State, zeros([1, 4], ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => _world.Step(init.State.Take(4).ToArray(), zeros([2, 4], ScalarType.Int64)));
    }

    [Fact]
    public void Host_states_round_trip_through_the_state_view()
    {
        var (states, _) = Init(_world, new WorldSeed(77, 3));

        var view = ReferenceWorldState.From(states[0]);

        Assert.Equal(Hash(states[0]), Hash(view.ToWorldState()));
        Assert.Equal(Hash(states[0]), Hash(view.Clone().ToWorldState()));
        Assert.Throws<InvalidDataException>(() => ReferenceWorldState.From(new WorldState([.. states[0].Tensors.Take(4)])));
    }

    [Fact]
    public void Stepping_leaves_no_tensors_alive_but_its_outputs()
    {
        var statistics = DisposeScopeManager.Statistics;
        var init = _world.Init([new WorldSeed(1, 4), new WorldSeed(2, 4)]);
        var state = init.State;
        init.Frames.Dispose();
        init.Memory!.Keys.Dispose();
        init.Memory.Entries.Dispose();
        using var actions = tensor(new long[] { 1, 2, 3, 4, 5, 0, 1, 2 }, [2, 4]);
        var live = statistics.ThreadTotalLiveCount;
        var createdInScopes = statistics.CreatedInScopeCount;

        for (var tick = 0; tick < 20; tick++)
        {
            var next = _world.Step(state, actions);
            foreach (var t in state)
            {
                t.Dispose();
            }
            next.Frames.Dispose();
            next.Memory!.Keys.Dispose();
            next.Memory.Entries.Dispose();
            state = next.State;
        }

        Assert.Equal(live, statistics.ThreadTotalLiveCount);
        Assert.True(statistics.CreatedInScopeCount - createdInScopes > 20 * 50, "Step should do its work in a dispose scope");
        foreach (var t in state)
        {
            t.Dispose();
        }
    }

    [Fact]
    public void The_memory_write_is_the_camera_room_and_its_cells()
    {
        using var scope = NewDisposeScope();
        var init = _world.Init([new WorldSeed(5, 2), new WorldSeed(6, 2)]);
        var hosts = WorldStateBatch.Unstack(ReferenceWorld.ReferenceManifest.State, init.State, 2).Select(ReferenceWorldState.From).ToArray();

        var keys = init.Memory!.Keys.data<long>().ToArray();
        for (var w = 0; w < 2; w++)
        {
            var room = hosts[w].CameraRoom;
            Assert.Equal(room, keys[w]);
            var entry = init.Memory.Entries[w].data<byte>().ToArray();
            var (top, left) = (room / 2 * 16, room % 2 * 16);
            for (var r = 0; r < 16; r++)
            {
                for (var c = 0; c < 16; c++)
                {
                    Assert.Equal((byte)hosts[w][top + r, left + c], entry[(r * 16) + c]);
                }
            }
        }
    }
}
