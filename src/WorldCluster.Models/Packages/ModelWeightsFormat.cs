namespace WorldCluster.Models.Packages;

/// <summary>The weight formats a package may carry.</summary>
public static class ModelWeightsFormat
{
    /// <summary>A TorchSharp module's saved state (<c>module.save(path)</c>), built by a registered architecture.</summary>
    public const string TorchSharp = "torchsharp";

    /// <summary>A TorchScript module saved by PyTorch (<c>torch.jit.save</c>), following the module convention in docs/model-packages.md.</summary>
    public const string TorchScript = "torchscript";

    /// <summary>Two ONNX graphs exported by <c>torch.onnx.export</c> (<c>weights.file</c> the step graph, <c>weights.init.file</c> the init graph), run by ONNX Runtime.</summary>
    public const string Onnx = "onnx";
}
