using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Memory;
using static TorchSharp.torch;

namespace WorldCluster.Runtime.Tests.Memory;

public sealed class SceneMemoryTableTests
{
    private static readonly MemorySpec Spec = new("room", new StateTensorSpec("v", StateDType.Int64, [2]), MaxEntries: 3);

    [Fact]
    public void Writes_fill_empty_entries_replace_same_keys_and_evict_the_least_recently_written()
    {
        using var scope = NewDisposeScope();
        var table = SceneMemoryTable.Empty(Spec, 1, CPU);

        table = Write(table, key: 10, value: 1);
        table = Write(table, key: 20, value: 2);
        table = Write(table, key: 10, value: 3); // same key: replaced in place, now the newest
        table = Write(table, key: 30, value: 4);
        table = Write(table, key: 40, value: 5); // full: evicts 20, the least recently written

        var keys = table[0].data<long>().ToArray();
        var entries = table[1].data<long>().ToArray();
        Assert.Equal(new long[] { 10, 40, 30 }, keys);
        Assert.Equal(new long[] { 3, 3, 5, 5, 4, 4 }, entries);
    }

    [Fact]
    public void Several_writes_per_world_apply_in_order_and_a_negative_key_writes_nothing()
    {
        using var scope = NewDisposeScope();
        var table = SceneMemoryTable.Empty(Spec, 2, CPU);
        // World 0 writes keys 7 then 8; world 1 skips its first column and writes key 7 twice, the later value winning.
        var keys = tensor(new long[] { 7, 8, -1, 7 }, [2, 2]);
        var entries = tensor(new long[] { 1, 1, 2, 2, 9, 9, 3, 3 }, [2, 2, 2]);
        table = SceneMemoryTable.Write(Spec, table, new MemoryWrite(keys, entries));
        table = SceneMemoryTable.Write(Spec, table, new MemoryWrite(tensor(new long[] { -1, -1, -1, 7 }, [2, 2]), tensor(new long[] { 5, 5, 5, 5, 5, 5, 6, 6 }, [2, 2, 2])));

        Assert.Equal(new long[] { 7, 8, -1, 7, -1, -1 }, table[0].data<long>().ToArray());
        Assert.Equal(new long[] { 1, 1, 2, 2, 0, 0, 6, 6, 0, 0, 0, 0 }, table[1].data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1, -1, 1, -1, -1 }, table[2].data<long>().ToArray());
    }

    [Fact]
    public void Each_world_of_a_batch_writes_only_its_own_row()
    {
        using var scope = NewDisposeScope();
        var table = SceneMemoryTable.Empty(Spec, 2, CPU);

        table = SceneMemoryTable.Write(Spec, table, new MemoryWrite(tensor(new long[] { 7, 8 }), tensor(new long[] { 1, 1, 2, 2 }).view(2, 2)));

        Assert.Equal(new long[] { 7, -1, -1, 8, -1, -1 }, table[0].data<long>().ToArray());
        Assert.Equal(new long[] { 1, 1, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0 }, table[1].data<long>().ToArray());
    }

    private static Tensor[] Write(Tensor[] table, long key, long value) =>
        SceneMemoryTable.Write(Spec, table, new MemoryWrite(tensor(new[] { key }), full([1, 2], value, ScalarType.Int64)));
}
