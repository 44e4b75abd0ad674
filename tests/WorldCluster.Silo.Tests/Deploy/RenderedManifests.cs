using System.Diagnostics;
using System.Text.Json;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Deploy;

/// <summary>Kubernetes objects as kubectl kustomize or deploy/render_chart.py render them, read as JSON (PyYAML converts: no YAML library here).</summary>
internal static class RenderedManifests
{
    // The first python3 with PyYAML, as deploy/validate.sh picks it; the render's YAML stream becomes one JSON array.
    private const string Prelude = """
        set -euo pipefail
        PY=python3
        for c in python3 /usr/bin/python3; do if "$c" -c 'import yaml' 2>/dev/null; then PY="$c"; break; fi; done
        json() { "$PY" -c 'import json, sys, yaml; json.dump([d for d in yaml.safe_load_all(sys.stdin) if d], sys.stdout)'; }
        """;

    /// <summary>Renders a kustomization folder (relative to the repository root).</summary>
    public static Task<IReadOnlyList<JsonElement>> KustomizeAsync(string folder) =>
        RunAsync($"{Prelude}\nkubectl kustomize \"$1\" | json", folder);

    /// <summary>Renders helm/worldcluster with render_chart.py arguments (<c>--set a=b</c>, <c>--api-versions X</c>).</summary>
    public static Task<IReadOnlyList<JsonElement>> ChartAsync(params string[] arguments) =>
        RunAsync($"{Prelude}\n\"$PY\" deploy/render_chart.py helm/worldcluster \"$@\" | json", arguments);

    /// <summary>Reads one YAML file (relative to the repository root) as JSON.</summary>
    public static async Task<JsonElement> FileAsync(string path) =>
        (await RunAsync($"{Prelude}\njson < \"$1\"", path)).Single();

    private static async Task<IReadOnlyList<JsonElement>> RunAsync(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo("bash", ["-c", script, "render", .. arguments])
        {
            WorkingDirectory = AzuriteFixture.FindRepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"render {string.Join(' ', arguments)} failed: {await stderr}");
        using var document = JsonDocument.Parse(output);
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }
}
