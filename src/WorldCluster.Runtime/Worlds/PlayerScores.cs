using System.Buffers.Binary;
using WorldCluster.Models.Contract;

namespace WorldCluster.Runtime.Worlds;

/// <summary>
/// Reads per-player scores from a world's state. A model reports scores by keeping a state tensor named <c>scores</c>,
/// int32, one element per player slot (the reference world does); models without one report none, and agents get reward 0.
/// </summary>
public static class PlayerScores
{
    /// <summary>The state tensor name that carries scores.</summary>
    public const string TensorName = "scores";

    /// <summary>The scores of slots <c>0 .. players-1</c>, or null when the state has no scores tensor.</summary>
    public static int[]? Read(WorldState state, int players)
    {
        var tensor = state.Tensors.FirstOrDefault(t => t.Name == TensorName);
        if (tensor is null || tensor.DType != StateDType.Int32 || tensor.Shape.Length != 1 || tensor.Shape[0] < players)
        {
            return null;
        }
        var scores = new int[players];
        for (var slot = 0; slot < players; slot++)
        {
            scores[slot] = BinaryPrimitives.ReadInt32LittleEndian(tensor.Data.AsSpan(slot * sizeof(int)));
        }
        return scores;
    }

    /// <summary>Each slot's change from <paramref name="before"/> to <paramref name="after"/>; null when either is.</summary>
    public static int[]? Delta(int[]? before, int[]? after) =>
        before is null || after is null || before.Length != after.Length ? null : [.. after.Select((score, slot) => score - before[slot])];
}
