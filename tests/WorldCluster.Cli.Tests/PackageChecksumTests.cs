using System.Security.Cryptography;
using System.Text.Json.Nodes;
using WorldCluster.Cli.Training;

namespace WorldCluster.Cli.Tests;

public sealed class PackageChecksumTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("worldcluster-checksum-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_new_checksum_replaces_the_old_one_and_keeps_the_manifests_layout()
    {
        var weights = Path.Combine(_folder, "w.bin");
        File.WriteAllBytes(weights, [1, 2, 3]);
        var layout = "{\n  \"name\": \"it's\",\n  \"shape\": [1, 2],\n  \"weights\": { \"file\": \"w.bin\", \"sha256\": \"abc\" }\n}\n";
        File.WriteAllText(Path.Combine(_folder, "model.json"), layout);

        Assert.NotNull(PackageChecksum.Update(weights));

        var expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(weights)));
        Assert.Equal(layout.Replace("\"abc\"", $"\"{expected}\"", StringComparison.Ordinal), File.ReadAllText(Path.Combine(_folder, "model.json")));
    }

    [Fact]
    public void A_manifest_without_a_checksum_gets_one_and_one_naming_other_weights_is_left_alone()
    {
        var weights = Path.Combine(_folder, "w.bin");
        File.WriteAllBytes(weights, [4, 5]);
        var manifest = Path.Combine(_folder, "model.json");
        File.WriteAllText(manifest, """{ "weights": { "file": "w.bin" } }""");
        Assert.NotNull(PackageChecksum.Update(weights));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(weights))), (string?)JsonNode.Parse(File.ReadAllText(manifest))!["weights"]!["sha256"]);

        const string Other = """{ "weights": { "file": "other.bin", "sha256": "abc" } }""";
        File.WriteAllText(manifest, Other);
        Assert.Null(PackageChecksum.Update(weights));
        Assert.Equal(Other, File.ReadAllText(manifest));
    }
}
