using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WorldCluster.Cli.Training;

/// <summary>Keeps a model package's manifest in step with freshly trained weights: the <c>model.json</c> beside them gets their SHA-256.</summary>
internal static class PackageChecksum
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the weights' checksum into the <c>model.json</c> in their folder when it names them; returns its path, or null.</summary>
    public static string? Update(string weightsPath)
    {
        var manifest = Path.Combine(Path.GetDirectoryName(weightsPath)!, "model.json");
        if (!File.Exists(manifest) || JsonNode.Parse(File.ReadAllText(manifest)) is not JsonObject root
            || root["weights"] is not JsonObject weights || (string?)weights["file"] != Path.GetFileName(weightsPath))
        {
            return null;
        }
        string checksum;
        using (var stream = File.OpenRead(weightsPath))
        {
            checksum = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        // Replace the old value in place when it is unambiguous, so the author's layout of model.json survives; otherwise
        // write the whole manifest again.
        var text = File.ReadAllText(manifest);
        var old = (string?)weights["sha256"];
        var quoted = $"\"{old}\"";
        if (!string.IsNullOrEmpty(old) && text.IndexOf(quoted, StringComparison.Ordinal) is var at and >= 0
            && text.IndexOf(quoted, at + 1, StringComparison.Ordinal) < 0)
        {
            File.WriteAllText(manifest, string.Concat(text.AsSpan(0, at), $"\"{checksum}\"", text.AsSpan(at + quoted.Length)));
            return manifest;
        }
        weights["sha256"] = checksum;
        File.WriteAllText(manifest, root.ToJsonString(Indented) + "\n");
        return manifest;
    }
}
