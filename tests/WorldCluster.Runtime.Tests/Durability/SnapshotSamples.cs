using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Durability;

namespace WorldCluster.Runtime.Tests.Durability;

/// <summary>Snapshots to encode, and a way to edit an encoded file's header the way a faulty writer would.</summary>
internal static class SnapshotSamples
{
    public const string WorldId = "w-sample";

    /// <summary>Four state tensors of every dtype (two of equal byte size) and a 3x4x5 frame; every byte distinct enough to notice.</summary>
    public static WorldAtTick Create(long tick = 1234)
    {
        var latent = new float[12];
        for (var i = 0; i < latent.Length; i++)
        {
            latent[i] = (i * 0.37f) - 1.5f;
        }
        long[] rng = [unchecked((long)0x9E3779B97F4A7C15), -42];
        int[] context = [1, -2, 3, int.MaxValue];
        var state = new WorldState(
        [
            new StateTensor("latent", StateDType.Float32, [4, 3], Bytes(latent)),
            new StateTensor("rng", StateDType.Int64, [2], Bytes(rng)),
            new StateTensor("context", StateDType.Int32, [2, 2], Bytes(context)),
            new StateTensor("flags", StateDType.UInt8, [5], [1, 0, 255, 7, 9]),
        ]);
        var frame = new byte[3 * 4 * 5];
        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = (byte)(i * 7);
        }
        return new WorldAtTick(
            "reference-world",
            "1.2.0-ünïcode",
            Seed: -987654321012345,
            Players: 3,
            Tick: tick,
            state,
            frame,
            new ObservationShape(3, 4, 5));
    }

    public static byte[] Bytes<T>(T[] values)
        where T : unmanaged
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("samples assume a little-endian machine");
        }
        return bytes;
    }

    /// <summary>The 8-byte length, the header JSON and where the data section starts.</summary>
    public static (JsonObject Header, int DataStart) ReadHeader(byte[] file)
    {
        var length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        var header = JsonNode.Parse(Encoding.UTF8.GetString(file, 8, length))!.AsObject();
        return (header, 8 + length);
    }

    /// <summary>Rewrites the header with <paramref name="edit"/> applied and the data section kept as is (the checksum is not updated).</summary>
    public static byte[] EditHeader(byte[] file, Action<JsonObject> edit)
    {
        var (header, dataStart) = ReadHeader(file);
        edit(header);
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        var result = new byte[8 + padded + (file.Length - dataStart)];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        json.CopyTo(result, 8);
        result.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        file.AsSpan(dataStart).CopyTo(result.AsSpan(8 + padded));
        return result;
    }

    public static JsonObject Metadata(JsonObject header) => header["__metadata__"]!.AsObject();
}
