using WorldCluster.Models.Contract;

namespace WorldCluster.Models.Packages;

/// <summary>A model package whose manifest has been read and validated (the weights are not loaded yet).</summary>
/// <param name="Folder">The package folder (absolute).</param>
/// <param name="Manifest">The runtime manifest built from <c>model.json</c>.</param>
/// <param name="Architecture">Architecture id (required for <c>torchsharp</c> weights).</param>
/// <param name="WeightsFormat"><see cref="ModelWeightsFormat.TorchSharp"/>, <see cref="ModelWeightsFormat.TorchScript"/> or <see cref="ModelWeightsFormat.Onnx"/>.</param>
/// <param name="WeightsPath">The weights file (absolute).</param>
/// <param name="WeightsSha256">The expected SHA-256 of the weights, lowercase hex.</param>
/// <param name="Description">What the model is, for people.</param>
/// <param name="License">The weights' license.</param>
public sealed record ModelPackage(
    string Folder,
    ModelManifest Manifest,
    string? Architecture,
    string WeightsFormat,
    string WeightsPath,
    string WeightsSha256,
    string? Description,
    string? License)
{
    /// <summary>The init graph of <c>onnx</c> weights (absolute), and its expected SHA-256; null for the other formats.</summary>
    public (string Path, string Sha256)? InitWeights { get; init; }

    /// <summary>How errors name the package: <c>name@version</c> and its folder.</summary>
    public string Label => $"{Manifest.Id} ({Folder})";
}
