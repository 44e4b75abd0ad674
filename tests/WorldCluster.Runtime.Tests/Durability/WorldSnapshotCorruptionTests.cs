using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Tests.Durability;

public sealed class WorldSnapshotCorruptionTests
{
    private const string World = SnapshotSamples.WorldId;

    private readonly byte[] _file = WorldSnapshotFormat.Encode(SnapshotSamples.Create());

    [Fact]
    public void Data_shorter_than_the_length_prefix_is_corrupt()
    {
        var e = Reject(_file[..5]);
        Assert.Contains("truncated", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_length_past_the_end_is_corrupt()
    {
        var file = (byte[])_file.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)file.Length);
        Assert.Contains("past the end", Reject(file).Reason, StringComparison.Ordinal);

        BinaryPrimitives.WriteUInt64LittleEndian(file, ulong.MaxValue);
        Assert.Contains("past the end", Reject(file).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_cut_inside_the_data_section_is_corrupt()
    {
        var e = Reject(_file[..^1]);
        Assert.Contains("outside", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_after_the_last_tensor_are_corrupt()
    {
        var e = Reject([.. _file, 0]);
        Assert.Contains("after the last tensor", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_is_corrupt()
    {
        var file = (byte[])_file.Clone();
        file[8] = (byte)'x';
        Assert.Contains("not valid JSON", Reject(file).Reason, StringComparison.Ordinal);

        var notAnObject = Encoding.UTF8.GetBytes("[1,2,3] ");
        file = [.. new byte[] { 8, 0, 0, 0, 0, 0, 0, 0 }, .. notAnObject];
        Assert.Contains("not a JSON object", Reject(file).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_that_is_not_utf8_is_corrupt()
    {
        var file = (byte[])_file.Clone();
        var (_, dataStart) = SnapshotSamples.ReadHeader(file);
        file[dataStart - 1] = 0xC3;
        Assert.Contains("UTF-8", Reject(file).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_safetensors_file_without_metadata_is_not_a_snapshot()
    {
        var file = SnapshotSamples.EditHeader(_file, h => h.Remove("__metadata__"));
        Assert.Contains("no __metadata__", Reject(file).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_unknown_format_is_corrupt()
    {
        var missing = SnapshotSamples.EditHeader(_file, h => SnapshotSamples.Metadata(h).Remove("format"));
        Assert.Contains("no 'format'", Reject(missing).Reason, StringComparison.Ordinal);

        var unknown = SnapshotSamples.EditHeader(_file, h => SnapshotSamples.Metadata(h)["format"] = "someone.else");
        Assert.Contains("unknown format 'someone.else'", Reject(unknown).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_format_version_names_the_version_found_and_the_versions_supported()
    {
        var file = SnapshotSamples.EditHeader(_file, h => SnapshotSamples.Metadata(h)["formatVersion"] = "2");

        var e = Reject(file);

        Assert.Contains("'2' is not supported", e.Reason, StringComparison.Ordinal);
        Assert.Contains("supports version 1", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flipped_bit_in_the_data_section_fails_the_checksum()
    {
        var file = (byte[])_file.Clone();
        file[^10] ^= 0x04;
        Assert.Contains("checksum mismatch", Reject(file).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_metadata_value_fails_the_checksum()
    {
        var file = SnapshotSamples.EditHeader(_file, h => SnapshotSamples.Metadata(h)["tick"] = "1235");
        Assert.Contains("checksum mismatch", Reject(file).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_added_metadata_entry_fails_the_checksum()
    {
        var file = SnapshotSamples.EditHeader(_file, h => SnapshotSamples.Metadata(h)["note"] = "hi");
        Assert.Contains("checksum mismatch", Reject(file).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_malformed_checksum_is_corrupt()
    {
        var missing = SnapshotSamples.EditHeader(_file, h => SnapshotSamples.Metadata(h).Remove("sha256"));
        Assert.Contains("sha256", Reject(missing).Reason, StringComparison.Ordinal);

        var upper = SnapshotSamples.EditHeader(_file, h =>
            SnapshotSamples.Metadata(h)["sha256"] = ((string)SnapshotSamples.Metadata(h)["sha256"]!).ToUpperInvariant());
        Assert.Contains("sha256", Reject(upper).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Offsets_outside_the_data_section_are_corrupt()
    {
        var file = SnapshotSamples.EditHeader(_file, h => h["frame"]!["data_offsets"] = new JsonArray(85, 1000));
        Assert.Contains("outside", Reject(file).Reason, StringComparison.Ordinal);

        var backwards = SnapshotSamples.EditHeader(_file, h => h["frame"]!["data_offsets"] = new JsonArray(145, 85));
        Assert.Contains("outside", Reject(backwards).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_tensors_are_corrupt()
    {
        // rng (I64 [2]) and context (I32 [2, 2]) are both 16 bytes: point context at rng's bytes.
        var file = SnapshotSamples.EditHeader(_file, h => h["state.context"]!["data_offsets"] = h["state.rng"]!["data_offsets"]!.DeepClone());
        Assert.Contains("overlap", Reject(file).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shape_that_does_not_match_the_byte_count_is_corrupt()
    {
        var file = SnapshotSamples.EditHeader(_file, h => h["state.latent"]!["shape"] = new JsonArray(4, 4));
        Assert.Contains("bytes of data", Reject(file).Reason, StringComparison.Ordinal);

        var huge = SnapshotSamples.EditHeader(_file, h => h["state.latent"]!["shape"] = new JsonArray(long.MaxValue, 4));
        Assert.Contains("bytes of data", Reject(huge).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_dtypes_and_malformed_tensor_entries_are_corrupt()
    {
        var dtype = SnapshotSamples.EditHeader(_file, h => h["state.latent"]!["dtype"] = "F64");
        Assert.Contains("unsupported dtype 'F64'", Reject(dtype).Reason, StringComparison.Ordinal);

        var negative = SnapshotSamples.EditHeader(_file, h => h["state.latent"]!["shape"] = new JsonArray(-4, -3));
        Assert.Contains("non-negative integer", Reject(negative).Reason, StringComparison.Ordinal);

        var extra = SnapshotSamples.EditHeader(_file, h => h["state.latent"]!["strides"] = new JsonArray(3, 1));
        Assert.Contains("'strides'", Reject(extra).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_world_id_given_to_the_decoder_only_names_the_world_in_errors()
    {
        // A snapshot is shared by forks, so any world may read it.
        Assert.Equal(1234, WorldSnapshotFormat.Decode("w-some-fork", _file).Tick);

        var e = Assert.Throws<CorruptWorldDataException>(() => WorldSnapshotFormat.Decode("w-some-fork", _file.AsSpan(..^1)));

        Assert.Equal("w-some-fork", e.WorldId);
        Assert.Contains("'w-some-fork'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decoding_for_an_invalid_world_id_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => WorldSnapshotFormat.Decode("../etc", _file));
    }

    [Fact]
    public void Every_truncation_is_corrupt()
    {
        for (var length = 0; length < _file.Length; length++)
        {
            Reject(_file[..length]);
        }
    }

    [Fact]
    public void Every_single_bit_flip_anywhere_in_the_file_is_corrupt()
    {
        var file = (byte[])_file.Clone();
        for (var i = 0; i < file.Length; i++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                file[i] ^= (byte)(1 << bit);
                var e = Record.Exception(() => WorldSnapshotFormat.Decode(World, file));
                file[i] ^= (byte)(1 << bit);
                Assert.True(e is CorruptWorldDataException, $"flipping bit {bit} of byte {i} gave {e?.GetType().Name ?? "a silent success"}: {e}");
            }
        }
    }

    [Fact]
    public void Random_damage_is_corrupt_or_changes_nothing_that_the_snapshot_means()
    {
        var random = new Random(20250304);
        for (var round = 0; round < 3000; round++)
        {
            var file = (byte[])_file.Clone();
            for (var hits = random.Next(1, 4); hits > 0; hits--)
            {
                file[random.Next(file.Length)] = (byte)random.Next(256);
            }
            var damaged = file.AsSpan(0, random.Next(2) == 0 ? file.Length : random.Next(file.Length + 1)).ToArray();
            try
            {
                var decoded = WorldSnapshotFormat.Decode(World, damaged);
                // Only a change to header whitespace (not checksummed, meaningless) may decode.
                Assert.Equal(_file, WorldSnapshotFormat.Encode(decoded));
            }
            catch (CorruptWorldDataException)
            {
            }
        }
    }

    private static CorruptWorldDataException Reject(byte[] file)
    {
        var e = Assert.Throws<CorruptWorldDataException>(() => WorldSnapshotFormat.Decode(World, file));
        Assert.Equal(World, e.WorldId);
        Assert.Contains($"'{World}'", e.Message, StringComparison.Ordinal);
        return e;
    }
}
