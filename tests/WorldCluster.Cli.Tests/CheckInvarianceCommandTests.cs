namespace WorldCluster.Cli.Tests;

public sealed class CheckInvarianceCommandTests
{
    [Fact]
    public async Task A_package_gets_its_classes_a_proposal_and_what_it_declares()
    {
        var (exit, output, error) = await CliRun.InvokeAsync("check-invariance", BouncingBalls(), "--sizes", "1,2,4,16", "--steps", "2", "--threads", "1");

        Assert.True(exit == 0, error);
        Assert.Contains("| 16 | A | yes |", output, StringComparison.Ordinal);
        Assert.Contains("classes: A = {", output, StringComparison.Ordinal);
        Assert.Contains("proposal: ", output, StringComparison.Ordinal);
        Assert.Contains("declared: \"batchInvariant\": true, \"batchBuckets\": [4, 16]", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_package_with_a_keys_and_mouse_space_is_checked_with_actions_of_every_component()
    {
        var (exit, output, error) = await CliRun.InvokeAsync("check-invariance", Fixture("keys-mouse"), "--sizes", "1,2,5", "--steps", "3", "--threads", "1");

        Assert.True(exit == 0, error);
        Assert.Contains("| 5 | ", output, StringComparison.Ordinal);
        Assert.Contains("proposal: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_built_in_reference_world_is_checked_by_name()
    {
        var (exit, output, error) = await CliRun.InvokeAsync("check-invariance", "reference-world", "--sizes", "1,3", "--steps", "1");

        Assert.True(exit == 0, error);
        Assert.Contains("\"batchBuckets\": [] — every size checked agrees", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0,2")]
    [InlineData("2,2")]
    [InlineData("two")]
    [InlineData("1,,2")]
    public async Task Bad_sizes_are_refused_before_anything_loads(string sizes)
    {
        var (exit, _, error) = await CliRun.InvokeAsync("check-invariance", "/nonexistent-package", "--sizes", sizes);

        Assert.Equal(2, exit);
        Assert.Contains("--sizes must be distinct whole numbers", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_without_a_package_is_a_clear_error()
    {
        var folder = Directory.CreateTempSubdirectory("worldcluster-not-a-package-").FullName;
        try
        {
            var (exit, _, error) = await CliRun.InvokeAsync("check-invariance", folder);

            Assert.Equal(1, exit);
            Assert.Contains("model.json is missing", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string BouncingBalls() => Fixture("bouncing-balls");

    private static string Fixture(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "WorldCluster.sln")))
        {
            dir = dir.Parent;
        }
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("no WorldCluster.sln above the test binaries"), "tests", "fixtures", "models", name, "1.0.0");
    }
}
