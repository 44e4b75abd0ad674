using WorldCluster.Models.Contract;
using WorldCluster.Models.Torch;
using static TorchSharp.torch;

namespace WorldCluster.Runtime.Memory;

/// <summary>
/// The runtime's per-world scene memory, as batch tensors: keys <c>[B, M]</c> (-1 empty), entries <c>[B, M, ...]</c> and
/// a write order <c>[B, M]</c>. A write replaces the entry with the same key, or else the empty or least recently
/// written one. Only integer comparisons and copies: exact at any batch size.
/// </summary>
public static class SceneMemoryTable
{
    /// <summary>An empty table for <paramref name="batch"/> worlds.</summary>
    public static Tensor[] Empty(MemorySpec spec, long batch, Device device)
    {
        long[] entryShape = [batch, spec.MaxEntries, .. spec.Entry.Shape];
        return
        [
            full([batch, spec.MaxEntries], Scalars.Of(-1L), ScalarType.Int64, device),
            zeros(entryShape, spec.Entry.DType.ToScalarType(), device),
            full([batch, spec.MaxEntries], Scalars.Of(-1L), ScalarType.Int64, device),
        ];
    }

    /// <summary>
    /// Applies a model's writes to a table (keys, entries, written) and returns the new table: one write per world, or
    /// several in column order (keys <c>[B, K]</c>), where a key of -1 writes nothing.
    /// </summary>
    public static Tensor[] Write(MemorySpec spec, IReadOnlyList<Tensor> table, MemoryWrite write)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(write);
        if (write.Keys.dim() == 1)
        {
            return WriteOne(spec, table, write.Keys, write.Entries);
        }
        Tensor[] current = [.. table];
        for (var k = 0; k < write.Keys.shape[1]; k++)
        {
            current = WriteOne(spec, current, write.Keys.select(1, k), write.Entries.select(1, k));
        }
        return current;
    }

    private static Tensor[] WriteOne(MemorySpec spec, IReadOnlyList<Tensor> table, Tensor writeKeys, Tensor writeEntries)
    {
        var (keys, entries, written) = (table[0], table[1], table[2]);
        var batch = keys.shape[0];
        var key = writeKeys.to(ScalarType.Int64).view(batch, 1);
        var skip = key.lt(Scalars.Zero).view(batch);
        var match = keys.eq(key);
        var hasMatch = match.any(1);
        // Same key → that entry; otherwise the empty or oldest entry (written == -1 sorts first).
        var slot = where(hasMatch, match.to(ScalarType.Int32).argmax(1), written.argmin(1)).view(batch, 1);
        var newKeys = keys.scatter(1, slot, key);
        var order = written.max(1, keepdim: true).values.Plus(1L);
        var newWritten = written.scatter(1, slot, order);
        var entryShape = spec.Entry.Shape.ToArray();
        var index = slot.view([batch, 1, .. Enumerable.Repeat(1L, entryShape.Length)]).expand([batch, 1, .. entryShape]);
        var value = writeEntries.to(entries.dtype).reshape([batch, 1, .. entryShape]);
        var newEntries = entries.scatter(1, index, value);
        // A key of -1 leaves that world's table as it was.
        var keep = skip.view([batch, 1]);
        return
        [
            where(keep, keys, newKeys),
            where(keep.view([batch, 1, .. Enumerable.Repeat(1L, entryShape.Length)]), entries, newEntries),
            where(keep, written, newWritten),
        ];
    }
}
