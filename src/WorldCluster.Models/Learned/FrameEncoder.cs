using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace WorldCluster.Models.Learned;

/// <summary>Frame to latent: a 4×4 stride-4 convolution reads each cell's tile, 1×1 convolutions classify it into a token pair.</summary>
public sealed class FrameEncoder : Module<Tensor, Tensor>
{
    private const int Hidden = 32;

    private readonly Conv2d _tiles;
    private readonly Conv2d _classes;

    /// <summary>Creates the encoder with freshly initialised weights (seed them with <c>torch.manual_seed</c>).</summary>
    public FrameEncoder()
        : base(nameof(FrameEncoder))
    {
        _tiles = Conv2d(3, Hidden, LearnedGeometry.Tile, stride: LearnedGeometry.Tile);
        _classes = Conv2d(Hidden, LearnedGeometry.LatentChannels, 1);
        RegisterComponents();
    }

    /// <summary>Token logits <c>[B, 11, 16, 16]</c> for float frames <c>[B, 3, 64, 64]</c> scaled to [0, 1].</summary>
    public override Tensor forward(Tensor frames) => _classes.forward(functional.relu(_tiles.forward(frames)));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tiles.Dispose();
            _classes.Dispose();
        }
        base.Dispose(disposing);
    }
}
