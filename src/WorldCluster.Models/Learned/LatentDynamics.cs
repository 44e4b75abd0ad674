using TorchSharp.Modules;
using WorldCluster.Models.Torch;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace WorldCluster.Models.Learned;

/// <summary>
/// The action-conditioned dynamics: a stack of 3×3 convolutions over the window (view plus border) that predicts the
/// next token pair of every cell. Four layers see four cells around a cell, enough for a push (the player two cells
/// away) and for players resolving in slot order.
/// </summary>
public sealed class LatentDynamics : Module<Tensor, Tensor>
{
    /// <summary>Channels of the hidden layers.</summary>
    public const int Hidden = 32;

    private readonly Conv2d _in;
    private readonly Conv2d _mid1;
    private readonly Conv2d _mid2;
    private readonly Conv2d _mid3;
    private readonly Conv2d _out;
    private readonly Conv2d _skip;

    /// <summary>Creates the network with freshly initialised weights (seed them with <c>torch.manual_seed</c>).</summary>
    public LatentDynamics()
        : base(nameof(LatentDynamics))
    {
        _in = Conv2d(LearnedGeometry.DynamicsInputs, Hidden, 3, padding: 1);
        _mid1 = Conv2d(Hidden, Hidden, 3, padding: 1);
        _mid2 = Conv2d(Hidden, Hidden, 3, padding: 1);
        _mid3 = Conv2d(Hidden, Hidden, 3, padding: 1);
        _out = Conv2d(Hidden, LearnedGeometry.LatentChannels, 1);
        // Most cells keep their token: a 1×1 path from the current latent lets the deep path learn only the changes.
        _skip = Conv2d(LearnedGeometry.LatentChannels, LearnedGeometry.LatentChannels, 1, bias: false);
        RegisterComponents();
    }

    /// <summary>Next-token logits <c>[B, 11, 18, 18]</c> for inputs <c>[B, 40, 18, 18]</c> (see <see cref="LearnedGeometry.DynamicsInputs"/>).</summary>
    public override Tensor forward(Tensor input)
    {
        var h = functional.relu(_in.forward(input));
        h = functional.relu(_mid1.forward(h));
        h = functional.relu(_mid2.forward(h));
        h = functional.relu(_mid3.forward(h));
        var current = input.narrow(1, 0, LearnedGeometry.LatentChannels);
        return _out.forward(h).Plus(_skip.forward(current));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _in.Dispose();
            _mid1.Dispose();
            _mid2.Dispose();
            _mid3.Dispose();
            _out.Dispose();
            _skip.Dispose();
        }
        base.Dispose(disposing);
    }
}
