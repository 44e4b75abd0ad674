using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace WorldCluster.Models.Tests.Packages;

/// <summary>Temporary package folders for tests: copies of the committed TorchScript fixture, edited, and poison-model packages.</summary>
internal sealed class PackageFolders : IDisposable
{
    public PackageFolders() => Root = Directory.CreateTempSubdirectory("worldcluster-packages-").FullName;

    /// <summary>The committed fixture: tests/fixtures/models/bouncing-balls/1.0.0 (written by tools/export-torchscript-fixture.py).</summary>
    public static string Fixture => Path.Combine(RepositoryRoot(), "tests", "fixtures", "models", "bouncing-balls", "1.0.0");

    /// <summary>The same model in ONNX: tests/fixtures/models/bouncing-balls-onnx/1.0.0 (written by tools/export-onnx-fixture.py).</summary>
    public static string OnnxFixture => Path.Combine(RepositoryRoot(), "tests", "fixtures", "models", "bouncing-balls-onnx", "1.0.0");

    /// <summary>Graphs the ONNX refusal tests load (tests/fixtures/onnx-graphs, written by tools/export-onnx-fixture.py).</summary>
    /// <summary>The megabyte-state fixture: a 4 MiB rolling KV cache per world (<c>tools/export-kv-cache-fixture.py</c>).</summary>
    public static string KvCacheFixture => Path.Combine(RepositoryRoot(), "tests", "fixtures", "models-large", "kv-cache", "1.0.0");

    public static string OnnxGraphs => Path.Combine(RepositoryRoot(), "tests", "fixtures", "onnx-graphs");

    public string Root { get; }

    /// <summary>Copies a fixture (the TorchScript one by default) to <c>Root/&lt;folder&gt;</c> and applies <paramref name="edit"/> to its model.json.</summary>
    public string CopyFixture(string folder, Action<JsonObject>? edit = null, string? fixture = null)
    {
        var target = Path.Combine(Root, folder);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(fixture ?? Fixture))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        if (edit is not null)
        {
            EditManifest(target, edit);
        }
        return target;
    }

    /// <summary>Writes a poison-model package to <c>Root/&lt;folder&gt;</c> with the given weights word.</summary>
    public string WritePoison(string folder, string name, string version = "1.0.0", string weights = "ok", bool batchInvariant = true, string buckets = "")
    {
        var target = Path.Combine(Root, folder);
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "weights.txt"), weights);
        var sha = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(weights)));
        File.WriteAllText(Path.Combine(target, "model.json"), PoisonTestModel.ManifestJson(name, version, sha, batchInvariant, buckets));
        return target;
    }

    public static void EditManifest(string folder, Action<JsonObject> edit)
    {
        var path = Path.Combine(folder, "model.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "WorldCluster.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"No WorldCluster.sln above {AppContext.BaseDirectory}: run the tests from a checkout of the repository.");
    }
}
