using static TorchSharp.torch;
using static WorldCluster.Models.Torch.Scalars;

namespace WorldCluster.Models.Learned;

/// <summary>Turns token grids into the one-hot tensors the networks read, and logits back into tokens.</summary>
public static class LatentCodec
{
    /// <summary>One-hot latent <c>[B, 11, H, W]</c> (float) for cell classes and avatar ids <c>[B, H, W]</c>.</summary>
    public static Tensor OneHot(Tensor cells, Tensor avatars) =>
        cat([Classes(cells, LearnedGeometry.CellClasses), Classes(avatars, LearnedGeometry.AvatarClasses)], 1);

    /// <summary>One-hot <c>[B, n, H, W]</c> (float, contiguous) of class indices <c>[B, H, W]</c>.</summary>
    /// <remarks>
    /// Contiguous on purpose: the permuted one-hot is laid out channels-last, and libtorch 2.10's CPU convolution backward
    /// on such inputs produced NaN weights within a few dozen training steps here; the standard layout does not.
    /// </remarks>
    public static Tensor Classes(Tensor indices, int n) =>
        nn.functional.one_hot(indices.to(ScalarType.Int64), n).permute(0, 3, 1, 2).to(ScalarType.Float32).contiguous();

    /// <summary>The most likely cell classes and avatar ids (uint8 <c>[B, H, W]</c> each) of latent logits <c>[B, 11, H, W]</c>.</summary>
    public static (Tensor Cells, Tensor Avatars) Argmax(Tensor logits) =>
        (logits.narrow(1, 0, LearnedGeometry.CellClasses).argmax(1).to(ScalarType.Byte),
         logits.narrow(1, LearnedGeometry.CellClasses, LearnedGeometry.AvatarClasses).argmax(1).to(ScalarType.Byte));

    /// <summary>
    /// The dynamics network's input <c>[B, 40, 18, 18]</c>: window latent, the context latents (view only, zero border),
    /// each avatar's action placed on its cell, and the spawn candidate map.
    /// </summary>
    /// <param name="cells">uint8 <c>[B, 18, 18]</c> window cell classes.</param>
    /// <param name="avatars">uint8 <c>[B, 18, 18]</c> window avatar ids (border: 0).</param>
    /// <param name="context">uint8 <c>[B, K, 2, 16, 16]</c>: previous views, newest first, (cells, avatars) each.</param>
    /// <param name="actions">int64 <c>[B, 4]</c>; anything outside the action space counts as noop.</param>
    /// <param name="spawn">float <c>[B, 18, 18]</c>: 1 on the cell where the noise stream tries a spawn this tick.</param>
    public static Tensor DynamicsInput(Tensor cells, Tensor avatars, Tensor context, Tensor actions, Tensor spawn)
    {
        var batch = cells.shape[0];
        var parts = new List<Tensor>(LearnedGeometry.ContextLength + 3) { OneHot(cells, avatars) };
        for (var k = 0; k < LearnedGeometry.ContextLength; k++)
        {
            var past = context.select(1, k);
            parts.Add(nn.functional.pad(OneHot(past.select(1, 0), past.select(1, 1)), [1, 1, 1, 1]));
        }
        var valid = actions.ge(Zero).logical_and(actions.lt(Of(LearnedGeometry.Actions)));
        var action = Classes(actions.masked_fill(valid.logical_not(), Zero).view(batch, -1, 1), LearnedGeometry.Actions)
            .view(batch, LearnedGeometry.Actions, -1).transpose(1, 2); // [B, 4, 6]
        var slots = Classes(avatars, LearnedGeometry.AvatarClasses).narrow(1, 1, LearnedGeometry.AvatarClasses - 1); // [B, 4, 18, 18]
        // Elementwise product and a sum over the 4 slots: a reduction inside each world's row, so no batch-size-dependent GEMM path.
        parts.Add(slots.unsqueeze(2).mul(action.view(batch, -1, LearnedGeometry.Actions, 1, 1)).sum(1));
        parts.Add(spawn.unsqueeze(1));
        return cat(parts, 1).contiguous();
    }
}
