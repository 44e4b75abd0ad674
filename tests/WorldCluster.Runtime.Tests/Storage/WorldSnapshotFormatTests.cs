using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Tests.Storage;

public sealed class WorldSnapshotFormatTests
{
    [Fact]
    public void A_snapshot_round_trips_with_every_field()
    {
        var original = SnapshotSamples.Create();

        var decoded = WorldSnapshotFormat.Decode(original.WorldId, WorldSnapshotFormat.Encode(original));

        Assert.Equal(original.WorldId, decoded.WorldId);
        Assert.Equal(original.Model, decoded.Model);
        Assert.Equal(original.ModelVersion, decoded.ModelVersion);
        Assert.Equal(original.Seed, decoded.Seed);
        Assert.Equal(original.Players, decoded.Players);
        Assert.Equal(original.Tick, decoded.Tick);
        Assert.Equal(original.CreatedAt, decoded.CreatedAt);
        Assert.Equal(original.CreatedAt.Offset, decoded.CreatedAt.Offset);
        Assert.Equal(original.CreatedAt.Ticks, decoded.CreatedAt.Ticks);
        Assert.Equal(original.FrameShape, decoded.FrameShape);
        Assert.Equal(original.Frame, decoded.Frame);
        Assert.Equal(original.State.Tensors.Count, decoded.State.Tensors.Count);
        for (var i = 0; i < original.State.Tensors.Count; i++)
        {
            var (expected, actual) = (original.State.Tensors[i], decoded.State.Tensors[i]);
            Assert.Equal(expected.Name, actual.Name);
            Assert.Equal(expected.DType, actual.DType);
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.Equal(expected.Data, actual.Data);
        }
    }

    [Fact]
    public void Encoding_is_deterministic_and_a_decoded_snapshot_re_encodes_to_the_same_bytes()
    {
        var encoded = WorldSnapshotFormat.Encode(SnapshotSamples.Create());

        Assert.Equal(encoded, WorldSnapshotFormat.Encode(SnapshotSamples.Create()));
        Assert.Equal(encoded, WorldSnapshotFormat.Encode(WorldSnapshotFormat.Decode(SnapshotSamples.WorldId, encoded)));
    }

    [Fact]
    public void Different_ticks_give_different_bytes()
    {
        Assert.NotEqual(
            WorldSnapshotFormat.Encode(SnapshotSamples.Create(tick: 1)),
            WorldSnapshotFormat.Encode(SnapshotSamples.Create(tick: 2)));
    }

    [Fact]
    public void A_snapshot_without_state_tensors_and_with_an_empty_frame_round_trips()
    {
        var empty = SnapshotSamples.Create() with { State = new WorldState([]), Frame = [], FrameShape = new ObservationShape(3, 0, 0) };

        var decoded = WorldSnapshotFormat.Decode(empty.WorldId, WorldSnapshotFormat.Encode(empty));

        Assert.Empty(decoded.State.Tensors);
        Assert.Empty(decoded.Frame);
        Assert.Equal(new ObservationShape(3, 0, 0), decoded.FrameShape);
    }

    [Fact]
    public void Inconsistent_snapshots_are_refused_when_encoding()
    {
        var sample = SnapshotSamples.Create();
        var tensors = sample.State.Tensors;

        Assert.Throws<ArgumentException>(() => WorldSnapshotFormat.Encode(sample with { WorldId = "Not/Valid" }));
        Assert.Throws<ArgumentException>(() => WorldSnapshotFormat.Encode(sample with { Frame = new byte[59] }));
        Assert.Throws<ArgumentException>(() => WorldSnapshotFormat.Encode(sample with { Players = -1 }));
        Assert.Throws<ArgumentException>(() => WorldSnapshotFormat.Encode(sample with
        {
            State = new WorldState([tensors[0] with { Data = new byte[47] }]),
        }));
        Assert.Throws<ArgumentException>(() => WorldSnapshotFormat.Encode(sample with
        {
            State = new WorldState([tensors[3] with { Name = "a,b" }]),
        }));
        Assert.Throws<ArgumentException>(() => WorldSnapshotFormat.Encode(sample with
        {
            State = new WorldState([tensors[3], tensors[3]]),
        }));
    }

    [Fact]
    public void Tensor_data_is_laid_out_by_descending_element_size_and_the_header_keeps_manifest_order()
    {
        var (header, _) = SnapshotSamples.ReadHeader(WorldSnapshotFormat.Encode(SnapshotSamples.Create()));

        Assert.Equal(
            ["__metadata__", "state.latent", "state.rng", "state.context", "state.flags", "frame"],
            header.Select(p => p.Key));
        Assert.Equal("latent,rng,context,flags", (string?)SnapshotSamples.Metadata(header)["stateOrder"]);
        long Begin(string name) => (long)header[name]!["data_offsets"]![0]!;
        Assert.Equal(0, Begin("state.rng"));
        Assert.True(Begin("state.latent") < Begin("state.context"));
        Assert.True(Begin("state.context") < Begin("state.flags"));
        Assert.True(Begin("state.flags") < Begin("frame"));
    }
}
