using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace WorldCluster.Runtime.Durability;

/// <summary>The snapshot checksum: SHA-256 over a canonical encoding of the header and the data section (docs/storage.md).</summary>
/// <remarks>
/// The encoding is independent of JSON formatting (whitespace, escapes, key order), so any safetensors writer that keeps
/// the values can rewrite the header without breaking the checksum, and any change to a value breaks it:
/// <code>
/// u64 count of metadata entries (all but "sha256")
/// for each entry, ordered by the UTF-8 bytes of its key: str(key) str(value)
/// u64 count of tensors
/// for each tensor, ordered by the UTF-8 bytes of its name: str(name) str(dtype) u64 rank, u64 each dimension, u64 begin, u64 end
/// the data section, as is
/// where u64 is 8 bytes little-endian and str(s) is u64 byte length of UTF-8(s) followed by those bytes
/// </code>
/// </remarks>
internal static class WorldSnapshotDigest
{
    /// <summary>The metadata key that holds the checksum and is left out of it.</summary>
    public const string MetadataKey = "sha256";

    /// <summary>The lowercase hex checksum of a snapshot's parts.</summary>
    public static string Compute(
        IEnumerable<KeyValuePair<string, string>> metadata,
        IEnumerable<SnapshotTensorEntry> tensors,
        ReadOnlySpan<byte> dataSection)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var entries = metadata
            .Where(e => e.Key != MetadataKey)
            .Select(e => (Key: Encoding.UTF8.GetBytes(e.Key), Value: Encoding.UTF8.GetBytes(e.Value)))
            .ToList();
        entries.Sort((a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        AppendUInt64(hash, (ulong)entries.Count);
        foreach (var (key, value) in entries)
        {
            AppendString(hash, key);
            AppendString(hash, value);
        }

        var ordered = tensors.Select(t => (Name: Encoding.UTF8.GetBytes(t.Name), Tensor: t)).ToList();
        ordered.Sort((a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        AppendUInt64(hash, (ulong)ordered.Count);
        foreach (var (name, t) in ordered)
        {
            AppendString(hash, name);
            AppendString(hash, Encoding.UTF8.GetBytes(t.DType));
            AppendUInt64(hash, (ulong)t.Shape.Length);
            foreach (var dim in t.Shape)
            {
                AppendUInt64(hash, (ulong)dim);
            }
            AppendUInt64(hash, (ulong)t.Begin);
            AppendUInt64(hash, (ulong)t.End);
        }

        hash.AppendData(dataSection);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AppendString(IncrementalHash hash, byte[] utf8)
    {
        AppendUInt64(hash, (ulong)utf8.Length);
        hash.AppendData(utf8);
    }

    private static void AppendUInt64(IncrementalHash hash, ulong value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        hash.AppendData(buffer);
    }
}
