using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Durability;

namespace WorldCluster.Runtime.Tests.Durability;

public sealed class WorldSnapshotFormatTests
{
    [Fact]
    public void A_snapshot_round_trips_with_every_field()
    {
        var original = SnapshotSamples.Create();

        var decoded = WorldSnapshotFormat.Decode(SnapshotSamples.WorldId, WorldSnapshotFormat.Encode(original));

        Assert.Equal(original.Model, decoded.Model);
        Assert.Equal(original.ModelVersion, decoded.ModelVersion);
        Assert.Equal(original.Seed, decoded.Seed);
        Assert.Equal(original.Players, decoded.Players);
        Assert.Equal(original.Tick, decoded.Tick);
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
    public void Equal_snapshots_built_separately_encode_to_identical_bytes_and_share_one_hash()
    {
        // Forks of one world at one tick rebuild the same state from their own tensors: they must land on one address.
        var original = SnapshotSamples.Create();
        var copy = original with
        {
            Model = new string(original.Model.ToCharArray()),
            ModelVersion = new string(original.ModelVersion.ToCharArray()),
            State = new WorldState([.. original.State.Tensors.Select(t => t with { Shape = (long[])t.Shape.Clone(), Data = (byte[])t.Data.Clone() })]),
            Frame = (byte[])original.Frame.Clone(),
        };

        var a = WorldSnapshotFormat.Encode(original);
        var b = WorldSnapshotFormat.Encode(copy);

        Assert.Equal(a, b);
        Assert.Equal(WorldSnapshotFormat.Hash(a), WorldSnapshotFormat.Hash(b));
        // Decoding for another world changes nothing either: the file names no world.
        Assert.Equal(a, WorldSnapshotFormat.Encode(WorldSnapshotFormat.Decode("w-fork", a)));
    }

    [Fact]
    public void The_hash_is_the_lowercase_hex_sha256_of_the_encoded_bytes()
    {
        var encoded = WorldSnapshotFormat.Encode(SnapshotSamples.Create());

        var hash = WorldSnapshotFormat.Hash(encoded);

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(encoded)).ToLowerInvariant(), hash);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", WorldSnapshotFormat.Hash([]));
    }

    [Fact]
    public void Every_field_changes_the_bytes_and_the_hash()
    {
        var sample = SnapshotSamples.Create();
        var hash = WorldSnapshotFormat.Hash(WorldSnapshotFormat.Encode(sample));
        WorldAtTick[] variants =
        [
            sample with { Tick = sample.Tick + 1 },
            sample with { Seed = sample.Seed + 1 },
            sample with { Players = sample.Players + 1 },
            sample with { Model = sample.Model + "x" },
            sample with { ModelVersion = sample.ModelVersion + "x" },
            sample with { Frame = [.. sample.Frame.Select((b, i) => i == 0 ? (byte)(b + 1) : b)] },
            sample with { State = new WorldState([sample.State.Tensors[0] with { Data = [.. sample.State.Tensors[0].Data.Select((b, i) => i == 0 ? (byte)(b ^ 1) : b)] }]) },
        ];

        var hashes = variants.Select(v => WorldSnapshotFormat.Hash(WorldSnapshotFormat.Encode(v))).ToList();

        Assert.DoesNotContain(hash, hashes);
        Assert.Equal(hashes.Count, hashes.Distinct().Count());
    }

    [Fact]
    public void A_snapshot_without_state_tensors_and_with_an_empty_frame_round_trips()
    {
        var empty = SnapshotSamples.Create() with { State = new WorldState([]), Frame = [], FrameShape = new ObservationShape(3, 0, 0) };

        var decoded = WorldSnapshotFormat.Decode(SnapshotSamples.WorldId, WorldSnapshotFormat.Encode(empty));

        Assert.Empty(decoded.State.Tensors);
        Assert.Empty(decoded.Frame);
        Assert.Equal(new ObservationShape(3, 0, 0), decoded.FrameShape);
    }

    [Fact]
    public void Inconsistent_snapshots_are_refused_when_encoding()
    {
        var sample = SnapshotSamples.Create();
        var tensors = sample.State.Tensors;

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
