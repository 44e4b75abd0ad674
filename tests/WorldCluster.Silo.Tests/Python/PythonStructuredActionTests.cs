using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Python;

/// <summary>
/// Runs the Python client's structured-action tests (src/clients/python/tests/test_structured.py) against a real host
/// serving the keys-mouse package: the Dict / MultiBinary / Box spaces and dict actions through WorldEnv.
/// </summary>
public sealed class PythonStructuredActionTests : IAsyncLifetime
{
    private readonly SiloHostFixture _host = SiloHostFixture.With("python-keys-mouse", FixturePackages.KeysMouse);

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task The_python_client_steps_a_keys_and_mouse_world_with_dict_actions()
    {
        var folder = Path.Combine(PythonClientTests.RepoRoot(), "src", "clients", "python");
        // Set, the module fails rather than skips when the silo does not serve keys-mouse.
        var required = new Dictionary<string, string> { ["WORLDCLUSTER_KEYS_MOUSE"] = "1" };

        var (exitCode, output) = await PythonClientTests.Run(PythonClientTests.FindPython(), "-m unittest -v tests.test_structured", folder,
            _host.Http.BaseAddress!.ToString().TrimEnd('/'), _host.AdminToken, required);

        Assert.True(exitCode == 0, $"python3 -m unittest exited with {exitCode}:\n{output}");
        Assert.Contains("Ran 2 tests", output, StringComparison.Ordinal);
    }
}
