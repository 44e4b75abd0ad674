namespace WorldCluster.Benchmarks.Tests;

/// <summary>Model package folders of the repository, found from the test's output folder upwards.</summary>
internal static class FixtureFolders
{
    /// <summary>The TorchScript and ONNX test packages (tests/fixtures/models).</summary>
    public static string Models => Find("models", "bouncing-balls");

    /// <summary>The megabyte-state fixture (tests/fixtures/models-large: kv-cache, 4 MiB per world).</summary>
    public static string Large => Find("models-large", "kv-cache");

    private static string Find(string folder, string package)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures", folder);
            if (Directory.Exists(Path.Combine(candidate, package)))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException($"tests/fixtures/{folder} above {AppContext.BaseDirectory}");
    }
}
