using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace WorldCluster.Models.Learned;

/// <summary>Latent to frame: 1×1 convolutions turn each cell's token pair into its 4×4 RGB tile, a pixel shuffle lays the tiles out.</summary>
public sealed class FrameDecoder : Module<Tensor, Tensor>
{
    private const int Hidden = 64;

    private readonly Conv2d _hidden;
    private readonly Conv2d _pixels;

    /// <summary>Creates the decoder with freshly initialised weights (seed them with <c>torch.manual_seed</c>).</summary>
    public FrameDecoder()
        : base(nameof(FrameDecoder))
    {
        _hidden = Conv2d(LearnedGeometry.LatentChannels, Hidden, 1);
        _pixels = Conv2d(Hidden, 3 * LearnedGeometry.Tile * LearnedGeometry.Tile, 1);
        RegisterComponents();
    }

    /// <summary>Frames <c>[B, 3, 64, 64]</c> in [0, 1] for one-hot latents <c>[B, 11, 16, 16]</c>.</summary>
    public override Tensor forward(Tensor latent) =>
        functional.pixel_shuffle(_pixels.forward(functional.relu(_hidden.forward(latent))), LearnedGeometry.Tile);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hidden.Dispose();
            _pixels.Dispose();
        }
        base.Dispose(disposing);
    }
}
