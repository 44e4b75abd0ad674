using System.Security.Cryptography;
using TorchSharp;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Durability;
using static TorchSharp.torch;

namespace WorldCluster.Runtime.Batching;

/// <summary>
/// The worlds whose current state a batcher holds as tensors on its device, between their steps: a row of the block
/// that the call which computed it returned. Touched only by the batcher's thread.
/// </summary>
/// <remarks>
/// A batch of the same worlds in the same order as the call before takes that call's output as its input, with no copy
/// at all; any other batch is gathered from row ranges (one copy on the device). A block is never more than half padding
/// or rows that are nobody's state any more: a call's output that is mostly padding keeps only its worlds' rows, and a
/// block whose rows moved on to newer blocks is compacted once half of them did. So the device memory held is at most
/// twice the worlds' state bytes, whatever the batches were (see docs/durability.md).
/// </remarks>
internal sealed class ResidentStates(ModelManifest manifest) : IDisposable
{
    private readonly Dictionary<string, ResidentRow> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Tick, WorldState State)> _spilled = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<StateTensorSpec> _specs = manifest.StoredState;
    private readonly HashSet<ResidentBlock> _blocks = [];
    private readonly ResidentLru _lru = new();

    // Rows at least this big are hashed in parallel: hashing a megabyte costs far more than handing a row to another core.
    private const long ParallelDigestBytes = 1 << 20;

    /// <summary>Worlds held on the device.</summary>
    public int Count => _rows.Count;

    /// <summary>Worlds spilled to host memory, waiting for their next step (or their deactivation).</summary>
    public int SpilledCount => _spilled.Count;

    /// <summary>State bytes of the worlds held (a row each).</summary>
    public long StateBytes => _rows.Count * RowBytes;

    /// <summary>One world's state bytes.</summary>
    public long RowBytes { get; } = manifest.StoredState.Sum(s => s.ByteCount);

    /// <summary>Bytes the held blocks take on the device, padding and rows that are nobody's state any more included.</summary>
    public long BlockBytes { get; private set; }

    /// <summary>The row holding <paramref name="world"/>'s state at <paramref name="tick"/>, if this batcher holds exactly that.</summary>
    public bool TryGet(string world, long tick, out ResidentRow row) => _rows.TryGetValue(world, out row) && row.Tick == tick;

    /// <summary>Whether this batcher holds a row of <paramref name="world"/>'s state (at any tick).</summary>
    public bool Holds(string world) => _rows.ContainsKey(world);

    /// <summary>Worlds held that were stepped at or after <paramref name="since"/> (a <see cref="TimeProvider"/> timestamp): the working set.</summary>
    public int SteppedSince(long since) => _lru.SteppedSince(since);

    /// <summary>
    /// Moves the least recently stepped world that is not in <paramref name="current"/> to host memory, freeing its row;
    /// its next step takes it back (<see cref="TryResume"/>). Returns it, or null when every world held is current.
    /// </summary>
    public string? SpillOldest(IReadOnlySet<string> current)
    {
        if (_lru.OldestExcept(current) is not { } world)
        {
            return null;
        }
        var row = _rows[world];
        _spilled[world] = (row.Tick, Read(world, row.Tick)!);
        Forget(world);
        return world;
    }

    /// <summary>Takes back a spilled world's state at <paramref name="tick"/> as host bytes for its next step to upload.</summary>
    public bool TryResume(string world, long tick, out WorldState state)
    {
        if (_spilled.TryGetValue(world, out var spilled) && spilled.Tick == tick)
        {
            _spilled.Remove(world);
            state = spilled.State;
            return true;
        }
        state = null!;
        return false;
    }

    /// <summary>
    /// The input of a batch of <paramref name="size"/> rows: each source's row in order, then copies of the last one as
    /// padding. Returns a block's own tensors (no copy) when the sources are exactly its rows in order.
    /// </summary>
    /// <param name="sources">Per world, the tensors holding its state and the row.</param>
    /// <param name="size">The batch size the call runs at.</param>
    /// <param name="anyPadding">True when padding rows may hold anything (a batch-invariant model ignores them).</param>
    public IReadOnlyList<Tensor> Gather(IReadOnlyList<(IReadOnlyList<Tensor> Tensors, int Index)> sources, int size, bool anyPadding)
    {
        var first = sources[0].Tensors;
        var whole = first[0].shape[0] == size && (anyPadding || sources.Count == size);
        for (var j = 0; whole && j < sources.Count; j++)
        {
            whole = ReferenceEquals(sources[j].Tensors, first) && sources[j].Index == j;
        }
        if (whole)
        {
            return first;
        }
        var result = new Tensor[_specs.Count];
        for (var i = 0; i < _specs.Count; i++)
        {
            var pieces = new List<Tensor>();
            var start = 0;
            for (var j = 1; j <= sources.Count; j++)
            {
                if (j < sources.Count && ReferenceEquals(sources[j].Tensors, sources[start].Tensors) && sources[j].Index == sources[j - 1].Index + 1)
                {
                    continue;
                }
                pieces.Add(sources[start].Tensors[i].narrow(0, sources[start].Index, j - start));
                start = j;
            }
            if (size > sources.Count)
            {
                var (tensors, index) = sources[^1];
                long[] shape = [size - sources.Count, .. _specs[i].Shape];
                pieces.Add(tensors[i].narrow(0, index, 1).expand(shape));
            }
            // A fresh tensor, as the host path's: a view into a block may start at any row, and a kernel's numeric path can
            // depend on where its input starts.
            result[i] = pieces.Count == 1 ? pieces[0].clone() : cat(pieces, 0);
        }
        return result;
    }

    /// <summary>
    /// Keeps a call's output state as the current state of the listed worlds (row, world, the tick it is at), releasing
    /// the rows they held. The output tensors must be detached from any dispose scope by the caller's choice: this takes
    /// its own references.
    /// </summary>
    public void Keep(IReadOnlyList<Tensor> output, IReadOnlyList<(int Index, string World, long Tick)> rows, long steppedAt)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var size = output[0].shape[0];
        // Mostly padding (a lone world at a bucket of 8, say): keep only the worlds' rows, renumbered.
        var trim = (size - rows.Count) * 2 > size;
        using var keep = trim ? tensor(rows.Select(r => (long)r.Index).ToArray(), ScalarType.Int64, output[0].device) : null;
        var tensors = new Tensor[_specs.Count];
        for (var i = 0; i < _specs.Count; i++)
        {
            if (output[i].dtype != _specs[i].DType.ToScalarType())
            {
                throw new InvalidOperationException($"model returned {output[i].dtype} for state '{_specs[i].Name}', manifest says {_specs[i].DType}");
            }
            if (output[i].shape[0] != size || output[i].NumberOfElements != size * _specs[i].ElementCount)
            {
                throw new InvalidOperationException($"model returned the wrong number of elements for state '{_specs[i].Name}'");
            }
            // A reference of its own, outside every dispose scope: the block decides when it goes.
            var kept = keep is null ? output[i].contiguous() : output[i].index_select(0, keep).contiguous();
            tensors[i] = kept.DetachFromDisposeScope();
        }
        var block = new ResidentBlock(tensors, rows.Count);
        Add(block);
        List<ResidentBlock> thinned = [];
        for (var r = 0; r < rows.Count; r++)
        {
            var (index, world, tick) = rows[r];
            if (_rows.TryGetValue(world, out var old))
            {
                Release(old.Block, thinned);
            }
            _spilled.Remove(world);
            _rows[world] = new ResidentRow(block, trim ? r : index, tick);
            _lru.Stepped(world, steppedAt);
        }
        foreach (var sparse in thinned.Distinct())
        {
            Compact(sparse);
        }

    }

    /// <summary>A host copy of a world's state at <paramref name="tick"/> (held or spilled); null when this batcher has no such state.</summary>
    public WorldState? Read(string world, long tick)
    {
        if (!TryGet(world, tick, out var row))
        {
            return _spilled.TryGetValue(world, out var spilled) && spilled.Tick == tick ? spilled.State : null;
        }
        var tensors = new StateTensor[_specs.Count];
        for (var i = 0; i < _specs.Count; i++)
        {
            using var view = row.Block.Tensors[i].narrow(0, row.Index, 1);
            using var cpu = view.cpu();
            tensors[i] = new StateTensor(_specs[i].Name, _specs[i].DType, [.. _specs[i].Shape], cpu.bytes.ToArray());
        }
        return new WorldState(tensors);
    }

    /// <summary>The digests of the states held for <paramref name="worlds"/>, hashed straight from device memory (one host copy per tensor on a GPU).</summary>
    /// <param name="worlds">Per world: its id and its player slots (part of the digest).</param>
    public string[] Digests(IReadOnlyList<(string World, int Players)> worlds)
    {
        var rows = worlds.Select(w => _rows[w.World]).ToArray();
        var hashes = worlds.Select((w, r) => StateDigest.Start(manifest.Id, rows[r].Tick, w.Players)).ToArray();
        // Block by block, tensor by tensor: each row still gets its tensors in manifest order, and each block tensor's
        // memory is reached once (one host copy per block tensor on a GPU, none on the CPU).
        foreach (var block in rows.Select(r => r.Block).Distinct())
        {
            var members = Enumerable.Range(0, rows.Length).Where(r => ReferenceEquals(rows[r].Block, block)).ToArray();
            for (var i = 0; i < _specs.Count; i++)
            {
                var spec = _specs[i];
                var rowBytes = (int)spec.ByteCount;
                var tensor = block.Tensors[i];
                using var copy = tensor.device_type == DeviceType.CPU ? null : tensor.cpu();
                if (members.Length > 1 && RowBytes >= ParallelDigestBytes)
                {
                    // Rows are independent, so megabyte states hash on every core (the hash is most of a big state's
                    // step, docs/benchmarks.md). A span cannot cross threads: each row reads the tensor's memory itself.
                    var source = copy ?? tensor;
                    Parallel.ForEach(members, r => WorldState.AppendTensorTo(hashes[r], spec.Name, spec.DType, spec.Shape,
                        source.bytes.Slice(rows[r].Index * rowBytes, rowBytes)));
                    continue;
                }
                var all = (copy ?? tensor).bytes;
                foreach (var r in members)
                {
                    WorldState.AppendTensorTo(hashes[r], spec.Name, spec.DType, spec.Shape, all.Slice(rows[r].Index * rowBytes, rowBytes));
                }
            }
        }
        return [.. hashes.Select(Finish)];
    }

    /// <summary>The bytes of state tensor <paramref name="spec"/> held for each of <paramref name="worlds"/> (the <c>scores</c> an agent's reward comes from, say).</summary>
    public byte[][] Bytes(int spec, IReadOnlyList<string> worlds)
    {
        var rows = worlds.Select(w => _rows[w]).ToArray();
        var rowBytes = (int)_specs[spec].ByteCount;
        var result = new byte[rows.Length][];
        foreach (var block in rows.Select(r => r.Block).Distinct())
        {
            var tensor = block.Tensors[spec];
            using var copy = tensor.device_type == DeviceType.CPU ? null : tensor.cpu();
            var all = (copy ?? tensor).bytes;
            for (var r = 0; r < rows.Length; r++)
            {
                if (ReferenceEquals(rows[r].Block, block))
                {
                    result[r] = all.Slice(rows[r].Index * rowBytes, rowBytes).ToArray();
                }
            }
        }
        return result;
    }

    /// <summary>Frees a world's row or spilled copy (its world deactivated, was deleted or moved): nothing of it stays here.</summary>
    public void Evict(string world)
    {
        _spilled.Remove(world);
        Forget(world);
    }

    private void Forget(string world)
    {
        _lru.Remove(world);
        if (_rows.Remove(world, out var row))
        {
            List<ResidentBlock> thinned = [];
            Release(row.Block, thinned);
            foreach (var sparse in thinned)
            {
                Compact(sparse);
            }
        }
    }

    /// <summary>Frees every block.</summary>
    public void Dispose()
    {
        foreach (var block in _blocks)
        {
            foreach (var t in block.Tensors)
            {
                t.Dispose();
            }
        }
        _blocks.Clear();
        _rows.Clear();
        _spilled.Clear();
        _lru.Clear();
        BlockBytes = 0;
    }

    private static string Finish(IncrementalHash hash)
    {
        using (hash)
        {
            return StateDigest.Finish(hash);
        }
    }

    private void Release(ResidentBlock block, List<ResidentBlock> thinned)
    {
        block.Release();
        if (block.Live == 0)
        {
            Remove(block);
        }
        else if (block.Live * 2 <= block.Rows)
        {
            thinned.Add(block);
        }
    }

    // Copies the rows still in use out of a mostly dead block, so the block can go.
    private void Compact(ResidentBlock sparse)
    {
        if (!_blocks.Contains(sparse))
        {
            return;
        }
        var owners = _rows.Where(r => ReferenceEquals(r.Value.Block, sparse)).OrderBy(r => r.Value.Index).ToArray();
        using var scope = NewDisposeScope();
        using var indices = tensor(owners.Select(o => (long)o.Value.Index).ToArray(), ScalarType.Int64, sparse.Tensors[0].device);
        var tensors = sparse.Tensors.Select(t => t.index_select(0, indices).contiguous().DetachFromDisposeScope()).ToArray();
        var block = new ResidentBlock(tensors, owners.Length);
        Add(block);
        for (var j = 0; j < owners.Length; j++)
        {
            _rows[owners[j].Key] = owners[j].Value with { Block = block, Index = j };
            sparse.Release();
        }
        Remove(sparse);
    }

    private void Add(ResidentBlock block)
    {
        _blocks.Add(block);
        BlockBytes += block.Bytes;
    }

    private void Remove(ResidentBlock block)
    {
        if (_blocks.Remove(block))
        {
            BlockBytes -= block.Bytes;
        }
    }
}
