using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Onnx;
using static TorchSharp.torch;

namespace WorldCluster.Models.Packages;

/// <summary>Loads a validated package: checks its weights' checksum, builds the model and probes it against the manifest.</summary>
public static class ModelPackageLoader
{
    /// <summary>Builds the model of <paramref name="package"/> on <paramref name="device"/> (the CPU by default; <c>onnx</c> packages run as <paramref name="onnx"/> says).</summary>
    /// <exception cref="ModelPackageException">The weights are missing or damaged, the architecture is unknown, or the model contradicts its manifest.</exception>
    public static IWorldModel Load(ModelPackage package, ModelArchitectures architectures, Device? device = null, OnnxRuntimeSettings? onnx = null)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(architectures);
        var label = package.Label;
        VerifyWeights(package);
        var model = Build(package, architectures, device ?? CPU, onnx ?? new OnnxRuntimeSettings());
        try
        {
            if (model.Manifest != package.Manifest && !SameShape(model.Manifest, package.Manifest))
            {
                throw new ModelPackageException(label, $"architecture '{package.Architecture}' built a model whose manifest ({model.Manifest.Id}) differs from model.json");
            }
            ModelProbe.Run(model, label);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Throws when a weights file is missing or its SHA-256 differs from the manifest's.</summary>
    public static void VerifyWeights(ModelPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        Verify(package, package.WeightsPath, package.WeightsSha256);
        if (package.InitWeights is { } init)
        {
            Verify(package, init.Path, init.Sha256);
        }
    }

    private static void Verify(ModelPackage package, string path, string expected)
    {
        var relative = Path.GetRelativePath(package.Folder, path);
        if (!File.Exists(path))
        {
            throw new ModelPackageException(package.Label, $"weights file '{relative}' is missing");
        }
        string actual;
        using (var file = File.OpenRead(path))
        {
            actual = Convert.ToHexStringLower(SHA256.HashData(file));
        }
        if (actual != expected)
        {
            throw new ModelPackageException(package.Label,
                $"weights file '{relative}' has SHA-256 {actual}; model.json says {expected} (damaged, or replaced without updating the manifest)");
        }
    }

    private static IWorldModel Build(ModelPackage package, ModelArchitectures architectures, Device device, OnnxRuntimeSettings onnx)
    {
        if (package.WeightsFormat == ModelWeightsFormat.Onnx)
        {
            try
            {
                return new OnnxWorldModel(package.Manifest, package.InitWeights!.Value.Path, package.WeightsPath, onnx);
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or OnnxRuntimeException)
            {
                throw new ModelPackageException(package.Label, FirstLine(e.Message), e);
            }
        }
        if (package.WeightsFormat == ModelWeightsFormat.TorchScript)
        {
            try
            {
                return new TorchScriptWorldModel(package.Manifest, package.WeightsPath, device);
            }
            catch (Exception e)
            {
                throw new ModelPackageException(package.Label, $"weights file is not a TorchScript module torch.jit.load can read: {FirstLine(e.Message)}", e);
            }
        }
        if (!architectures.TryGet(package.Architecture!, out var factory))
        {
            var known = architectures.Ids.Count == 0 ? "none" : string.Join(", ", architectures.Ids);
            throw new ModelPackageException(package.Label, $"architecture '{package.Architecture}' is not known to this silo (known: {known})");
        }
        try
        {
            return factory(package, device);
        }
        catch (Exception e) when (e is not ModelPackageException)
        {
            throw new ModelPackageException(package.Label, $"architecture '{package.Architecture}' could not load the weights: {FirstLine(e.Message)}", e);
        }
    }

    // Records with list members compare lists by reference; compare what the runtime depends on.
    private static bool SameShape(ModelManifest a, ModelManifest b) =>
        a.Id == b.Id && a.MaxPlayers == b.MaxPlayers && a.Observation == b.Observation
        && a.ActionSpace.SameAs(b.ActionSpace)
        && a.StoredState.Count == b.StoredState.Count
        && a.StoredState.Zip(b.StoredState).All(p => p.First.Name == p.Second.Name && p.First.DType == p.Second.DType && p.First.Shape.SequenceEqual(p.Second.Shape))
        && a.BatchInvariant == b.BatchInvariant && a.BatchBuckets.SequenceEqual(b.BatchBuckets);

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }
}
