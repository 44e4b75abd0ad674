using WorldCluster.Models.Contract;
using WorldCluster.Models.Torch;
using static TorchSharp.torch;

namespace WorldCluster.Models.Learned.Evaluation;

/// <summary>
/// Scene memory for evaluation runs outside a silo: one entry per room, written as the model asks (the runtime's table
/// behaves the same for a model whose keys are its four rooms). Disabled, it keeps nothing, which is the memory-off ablation.
/// </summary>
internal sealed class RoomMemory(long batch, bool enabled) : IDisposable
{
    private Tensor _keys = full([batch, LearnedGeometry.Rooms], Scalars.Of(-1L), ScalarType.Int64);
    private Tensor _entries = zeros([batch, LearnedGeometry.Rooms, LearnedGeometry.View, LearnedGeometry.View], ScalarType.Byte);

    /// <summary>The memory a step reads.</summary>
    public SceneMemory Read() => new(_keys, _entries);

    /// <summary>Applies a model's writes (keys <c>[B]</c> or <c>[B, K]</c>, -1 for none; later columns win).</summary>
    public void Write(MemoryWrite? write)
    {
        if (!enabled || write is null)
        {
            return;
        }
        using var scope = NewDisposeScope();
        var keys = write.Keys.dim() == 1 ? write.Keys.unsqueeze(1) : write.Keys;
        var entries = write.Keys.dim() == 1 ? write.Entries.unsqueeze(1) : write.Entries;
        var table = _entries;
        var known = _keys;
        var rooms = TensorOps.Range(LearnedGeometry.Rooms).view(1, -1);
        for (var k = 0; k < keys.shape[1]; k++)
        {
            var hit = keys.narrow(1, k, 1).eq(rooms); // [B, 4]; -1 matches no room
            table = where(hit.view(batch, LearnedGeometry.Rooms, 1, 1), entries.narrow(1, k, 1), table);
            known = where(hit, rooms.expand(batch, -1), known);
        }
        _entries.Dispose();
        _keys.Dispose();
        _entries = table.MoveToOuterDisposeScope();
        _keys = known.MoveToOuterDisposeScope();
    }

    /// <summary>Frees the tables.</summary>
    public void Dispose()
    {
        _keys.Dispose();
        _entries.Dispose();
    }
}
