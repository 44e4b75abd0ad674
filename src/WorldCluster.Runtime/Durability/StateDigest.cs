using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using WorldCluster.Models.Contract;

namespace WorldCluster.Runtime.Durability;

/// <summary>The hash that identifies a world state: equal digests mean equal model, tick, slots and state bytes.</summary>
public static class StateDigest
{
    /// <summary>Lowercase hex SHA-256 over a canonical encoding of the world's model id, tick, slots and state.</summary>
    public static string Compute(string modelId, long tick, int players, WorldState state)
    {
        using var hash = Start(modelId, tick, players);
        state.AppendTo(hash);
        return Finish(hash);
    }

    /// <summary>
    /// A hash fed with everything but the state: append each state tensor with <see cref="WorldState.AppendTensorTo"/>
    /// (as the batcher does from resident tensors, without a host copy), then <see cref="Finish"/>.
    /// </summary>
    public static IncrementalHash Start(string modelId, long tick, int players)
    {
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes("worldcluster.state/1\0"));
        hash.AppendData(Encoding.UTF8.GetBytes(modelId));
        Span<byte> scratch = stackalloc byte[12];
        BinaryPrimitives.WriteInt64LittleEndian(scratch, tick);
        BinaryPrimitives.WriteInt32LittleEndian(scratch[8..], players);
        hash.AppendData(scratch);
        return hash;
    }

    /// <summary>The lowercase hex digest of a hash begun with <see cref="Start"/>.</summary>
    public static string Finish(IncrementalHash hash) => Convert.ToHexStringLower(hash.GetHashAndReset());

    /// <summary>The digest of a world's state at its tick.</summary>
    public static string Of(WorldAtTick world) =>
        Compute($"{world.Model}@{world.ModelVersion}", world.Tick, world.Players, world.State);
}
