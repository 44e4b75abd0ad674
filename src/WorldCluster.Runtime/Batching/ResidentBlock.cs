using static TorchSharp.torch;

namespace WorldCluster.Runtime.Batching;

/// <summary>
/// One batched call's output state tensors (manifest order, each <c>[rows, ...]</c>, contiguous, on the model's device),
/// shared by the worlds whose current state is one of its rows; freed when the last of them moves on.
/// </summary>
internal sealed class ResidentBlock(Tensor[] tensors, int live)
{
    /// <summary>The state tensors, one per stored state spec.</summary>
    public Tensor[] Tensors { get; } = tensors;

    /// <summary>Rows in each tensor (the batch size the call ran at, padding included).</summary>
    public int Rows => (int)Tensors[0].shape[0];

    /// <summary>Device bytes of the tensors.</summary>
    public long Bytes { get; } = tensors.Sum(t => t.NumberOfElements * t.ElementSize);

    /// <summary>Rows that are some world's current state.</summary>
    public int Live { get; private set; } = live;

    /// <summary>A world's row stopped being its current state; frees the tensors when it was the last.</summary>
    public void Release()
    {
        if (--Live == 0)
        {
            foreach (var t in Tensors)
            {
                t.Dispose();
            }
        }
    }
}

/// <summary>Where a world's current state lives: row <paramref name="Index"/> of <paramref name="Block"/>, at <paramref name="Tick"/>.</summary>
internal readonly record struct ResidentRow(ResidentBlock Block, int Index, long Tick);
