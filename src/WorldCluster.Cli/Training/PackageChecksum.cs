using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WorldCluster.Cli.Training;

/// <summary>Keeps a model package's manifest in step with freshly trained weights: the <c>model.json</c> beside them gets their SHA-256.</summary>
internal static class PackageChecksum
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes the weights' checksum into the <c>model.json</c> in their folder when it names them; returns its path, or null.</summary>
    public static string? Update(string weightsPath)
    {
        var manifest = Path.Combine(Path.GetDirectoryName(weightsPath)!, "model.json");
        if (!File.Exists(manifest) || JsonNode.Parse(File.ReadAllText(manifest)) is not JsonObject root
            || root["weights"] is not JsonObject weights || (string?)weights["file"] != Path.GetFileName(weightsPath))
        {
            return null;
        }
        using var stream = File.OpenRead(weightsPath);
        weights["sha256"] = Convert.ToHexStringLower(SHA256.HashData(stream));
        File.WriteAllText(manifest, root.ToJsonString(Indented) + "\n");
        return manifest;
    }
}
