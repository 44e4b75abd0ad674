using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Fixtures;

/// <summary>Copies committed fixture packages (tests/fixtures/models) into a host's data folder, for <see cref="SiloHostFixture"/>.</summary>
public static class FixturePackages
{
    /// <summary>Installs the keys-mouse TorchScript package (a dict action space) and returns the host arguments that serve it.</summary>
    public static string[] KeysMouse(string data)
    {
        var from = Path.Combine(AzuriteFixture.FindRepositoryRoot(), "tests", "fixtures", "models", "keys-mouse", "1.0.0");
        var to = Path.Combine(data, "packages", "keys-mouse", "1.0.0");
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        return ["--WorldCluster:Models:Packages:0", Path.Combine(data, "packages")];
    }
}
