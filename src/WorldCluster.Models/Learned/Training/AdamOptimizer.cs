using TorchSharp;
using TorchSharp.Modules;
using WorldCluster.Models.Torch;
using static TorchSharp.torch;

namespace WorldCluster.Models.Learned.Training;

/// <summary>
/// Adam (Kingma and Ba), the same update as <c>torch.optim.Adam</c> without weight decay or AMSGrad, written here so
/// that every Scalar it passes to libtorch is owned and disposed after the call.
/// </summary>
/// <remarks>
/// TorchSharp's own Adam passes about seven Scalars per parameter and step that only the finalizer frees, and a Scalar
/// freed by a garbage collection while libtorch reads it gives wrong numbers (see <see cref="Scalars"/>).
/// </remarks>
internal sealed class AdamOptimizer : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _mean;
    private readonly Tensor[] _square;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;
    private long _steps;

    /// <summary>Creates the optimizer for <paramref name="parameters"/> with the usual defaults for the betas and epsilon.</summary>
    public AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        _parameters = [.. parameters];
        LearningRate = learningRate;
        (_beta1, _beta2, _epsilon) = (beta1, beta2, epsilon);
        using var noGrad = no_grad();
        _mean = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        _square = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
    }

    /// <summary>The step size the next <see cref="Step"/> uses.</summary>
    public double LearningRate { get; set; }

    /// <summary>Sets every parameter's gradient to zero.</summary>
    public void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        foreach (var parameter in _parameters)
        {
            parameter.grad?.zero_();
        }
    }

    /// <summary>Moves every parameter that has a gradient one Adam step.</summary>
    public void Step()
    {
        _steps++;
        var correction1 = 1 - Math.Pow(_beta1, _steps);
        var correction2 = 1 - Math.Pow(_beta2, _steps);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var beta1 = _beta1.ToScalar();
        using var beta2 = _beta2.ToScalar();
        using var keep1 = (1 - _beta1).ToScalar();
        using var keep2 = (1 - _beta2).ToScalar();
        using var root2 = Math.Sqrt(correction2).ToScalar();
        using var epsilon = _epsilon.ToScalar();
        using var stepSize = (-LearningRate / correction1).ToScalar();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var grad = _parameters[i].grad;
            if (grad is null)
            {
                continue;
            }
            _mean[i].mul_(beta1).add_(grad, keep1);
            _square[i].mul_(beta2).addcmul_(grad, grad, keep2);
            var denominator = _square[i].sqrt().div_(root2).add_(epsilon, Scalars.One);
            _parameters[i].addcdiv_(_mean[i], denominator, stepSize);
        }
    }

    /// <summary>Frees the moment estimates.</summary>
    public void Dispose()
    {
        foreach (var t in _mean.Concat(_square))
        {
            t.Dispose();
        }
    }
}
