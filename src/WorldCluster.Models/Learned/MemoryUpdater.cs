using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace WorldCluster.Models.Learned;

/// <summary>
/// Updates a remembered room the camera is not in when the world's noise stream drops a spawn candidate there: 1×1
/// convolutions over (cell class, candidate flag) predict the cell's next class. Nobody acts in a room out of view, so
/// a cell-wise rule is all it needs.
/// </summary>
public sealed class MemoryUpdater : Module<Tensor, Tensor>
{
    private const int Hidden = 16;

    private readonly Conv2d _hidden;
    private readonly Conv2d _out;

    /// <summary>Creates the network with freshly initialised weights (seed them with <c>torch.manual_seed</c>).</summary>
    public MemoryUpdater()
        : base(nameof(MemoryUpdater))
    {
        _hidden = Conv2d(LearnedGeometry.CellClasses + 1, Hidden, 1);
        _out = Conv2d(Hidden, LearnedGeometry.CellClasses, 1);
        RegisterComponents();
    }

    /// <summary>Cell-class logits <c>[B, 6, 16, 16]</c> for inputs <c>[B, 7, 16, 16]</c> (one-hot cells, candidate flag).</summary>
    public override Tensor forward(Tensor input) => _out.forward(functional.relu(_hidden.forward(input)));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hidden.Dispose();
            _out.Dispose();
        }
        base.Dispose(disposing);
    }
}
