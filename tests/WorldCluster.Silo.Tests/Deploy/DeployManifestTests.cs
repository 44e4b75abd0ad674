using System.Diagnostics;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Deploy;

/// <summary>The Kubernetes manifests, Helm chart, alert rules and dashboard pass deploy/validate.sh (see docs/operations.md).</summary>
public sealed class DeployManifestTests
{
    [Fact]
    public async Task The_deploy_validation_script_passes()
    {
        var root = AzuriteFixture.FindRepositoryRoot();
        var info = new ProcessStartInfo("bash", ["deploy/validate.sh"])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var output = await stdout + await stderr;

        Assert.True(process.ExitCode == 0, output);
        Assert.Contains("deploy/validate.sh: passed", output, StringComparison.Ordinal);
    }
}
