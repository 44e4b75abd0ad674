using WorldCluster.Silo.Auth;
using WorldCluster.Silo.Hosting;

namespace WorldCluster.Silo.Tests.Auth;

/// <summary>The signing key is made once, kept private, reused, and never silently replaced.</summary>
public sealed class SigningKeyFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("worldcluster-key-").FullName;

    private string KeyPath => Path.Combine(_folder, "auth", "signing.key");

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_first_load_makes_a_private_256_bit_key_and_later_loads_reuse_it()
    {
        var first = SigningKeyFile.LoadOrCreate(KeyPath);
        var second = SigningKeyFile.LoadOrCreate(KeyPath);

        Assert.Equal(32, first.Length);
        Assert.Equal(first, second);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
    }

    [Theory]
    [InlineData("this is not base64!")]
    [InlineData("c2hvcnQ=")]
    public void A_damaged_key_stops_the_start_and_stays_as_it_was(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyPath)!);
        File.WriteAllText(KeyPath, content);

        var error = Assert.Throws<InvalidOperationException>(() => SigningKeyFile.LoadOrCreate(KeyPath));

        Assert.Contains(KeyPath, error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(KeyPath));
    }

    [Fact]
    public void The_host_refuses_to_build_over_a_damaged_key()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyPath)!);
        File.WriteAllText(KeyPath, "garbage");

        var error = Assert.Throws<InvalidOperationException>(() => WorldClusterApp.Build(["--data", _folder, "--urls", "http://127.0.0.1:0"]));

        Assert.Contains("signing key", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
