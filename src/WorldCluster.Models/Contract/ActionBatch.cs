using static TorchSharp.torch;

namespace WorldCluster.Models.Contract;

/// <summary>
/// A batch's actions in a structured space: one tensor per component of <see cref="ActionSpace.Components"/>, in order —
/// discrete int64 <c>[B, P]</c>, keys uint8 <c>[B, P, K]</c> (0 or 1), box float32 <c>[B, P, D]</c>.
/// </summary>
public sealed record ActionBatch(IReadOnlyList<Tensor> Components)
{
    /// <summary>
    /// Unpacks each world's words (<see cref="ActionSpace.Width"/> per slot, in slot order; a world may fill fewer slots)
    /// into component tensors of <paramref name="batchSize"/> rows; missing slots and padding rows hold 0, the no-op.
    /// Box words are float bits, copied as they are, so a value reaches the model exactly as it was sent and journaled.
    /// </summary>
    public static ActionBatch Stack(ActionSpace space, IReadOnlyList<IReadOnlyList<int>> words, int batchSize, int players, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, words.Count);
        var width = space.Width;
        var tensors = new Tensor[space.Components.Count];
        var offset = 0;
        for (var c = 0; c < tensors.Length; c++)
        {
            var component = space.Components[c];
            var n = component.Width;
            var at = offset;
            int Word(int row, int slot, int i) => row < words.Count && ((slot * width) + at + i) < words[row].Count ? words[row][(slot * width) + at + i] : 0;
            tensors[c] = component.Kind switch
            {
                ActionKind.Discrete => tensor(Fill(batchSize, players, 1, (r, p, _) => (long)Word(r, p, 0)), [batchSize, players], ScalarType.Int64, device),
                ActionKind.Keys => tensor(Fill(batchSize, players, n, (r, p, i) => (byte)Word(r, p, i)), [batchSize, players, n], ScalarType.Byte, device),
                _ => tensor(Fill(batchSize, players, n, (r, p, i) => BitConverter.Int32BitsToSingle(Word(r, p, i))), [batchSize, players, n], ScalarType.Float32, device),
            };
            offset += n;
        }
        return new ActionBatch(tensors);
    }

    /// <summary>A batch of no-op actions (every word 0).</summary>
    public static ActionBatch NoOp(ActionSpace space, int batchSize, int players, Device? device = null) => Stack(space, [], batchSize, players, device);

    private static T[] Fill<T>(int rows, int players, int n, Func<int, int, int, T> value)
    {
        var data = new T[rows * players * n];
        for (var r = 0; r < rows; r++)
        {
            for (var p = 0; p < players; p++)
            {
                for (var i = 0; i < n; i++)
                {
                    data[(((r * players) + p) * n) + i] = value(r, p, i);
                }
            }
        }
        return data;
    }
}
