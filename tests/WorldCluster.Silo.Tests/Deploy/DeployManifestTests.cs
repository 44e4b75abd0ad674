using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Deploy;

/// <summary>The Kubernetes manifests, Helm chart, alert rules and dashboard pass deploy/validate.sh (see docs/operations.md).</summary>
public sealed partial class DeployManifestTests
{
    private const string KedaApi = "keda.sh/v1alpha1/ScaledObject";

    // What a model silo serves on /metrics: every name in MetricNames (a histogram as _bucket, _sum and _count too).
    private static readonly HashSet<string> Exported =
    [
        .. typeof(MetricNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!),
    ];

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

    [Theory]
    [InlineData("kustomize-hpa", "worldcluster-model")]
    [InlineData("kustomize-keda", "worldcluster-model")]
    [InlineData("chart-hpa", "wc-worldcluster-model")]
    [InlineData("chart-keda", "wc-worldcluster-model")]
    public async Task A_model_silo_autoscaler_scales_the_model_deployment_on_metrics_the_silo_exports_and_drains_slowly(string source, string model)
    {
        var objects = await RenderAsync(source);
        var deployment = Assert.Single(objects, o => Is(o, "Deployment", model));
        var pod = deployment.GetProperty("spec").GetProperty("template").GetProperty("spec");
        Assert.False(deployment.GetProperty("spec").TryGetProperty("replicas", out _), "the autoscaler owns the replica count; a fixed one resets it on every apply");
        Assert.Equal("true", Env(pod)["WorldCluster__Worlds__DrainByMigration"]);
        var grace = pod.GetProperty("terminationGracePeriodSeconds").GetInt32();

        var scaler = Assert.Single(objects, o => Kind(o) is "HorizontalPodAutoscaler" or "ScaledObject" && Targets(o) == model);
        var spec = scaler.GetProperty("spec");
        var target = spec.GetProperty("scaleTargetRef");
        Assert.Equal("Deployment", target.GetProperty("kind").GetString());
        Assert.Equal("apps/v1", target.GetProperty("apiVersion").GetString());
        string[] metrics;
        JsonElement behavior;
        int fewest;
        if (Kind(scaler) == "HorizontalPodAutoscaler")
        {
            metrics = [.. spec.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("pods").GetProperty("metric").GetProperty("name").GetString()!)];
            behavior = spec.GetProperty("behavior");
            fewest = spec.GetProperty("minReplicas").GetInt32();
            var adapter = await RenderedManifests.FileAsync("deploy/k8s/prometheus-adapter/config.yaml");
            var served = adapter.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("name").GetProperty("as").GetString()!).ToHashSet();
            Assert.Subset(served, metrics.ToHashSet());
        }
        else
        {
            var triggers = spec.GetProperty("triggers").EnumerateArray().ToArray();
            Assert.All(triggers, t => Assert.Equal("prometheus", t.GetProperty("type").GetString()));
            // An empty result must hold the count (an error), not read as 0 and scale silos away.
            Assert.All(triggers, t => Assert.Equal("false", t.GetProperty("metadata").GetProperty("ignoreNullValues").GetString()));
            metrics = [.. triggers.SelectMany(t => Series().Matches(t.GetProperty("metadata").GetProperty("query").GetString()!).Select(m => m.Value))];
            behavior = spec.GetProperty("advanced").GetProperty("horizontalPodAutoscalerConfig").GetProperty("behavior");
            fewest = spec.GetProperty("minReplicaCount").GetInt32();
        }
        Assert.Contains(MetricNames.BatcherBusyRatio, metrics);
        Assert.Contains(MetricNames.ResidentStateBudgetRatio, metrics);
        Assert.All(metrics, m => Assert.True(IsExported(m), $"{m} is not a metric the silo exports (MetricNames)"));
        // A drain moves worlds to another model silo; alone, a silo can only snapshot them.
        Assert.InRange(fewest, 2, int.MaxValue);
        var down = behavior.GetProperty("scaleDown");
        Assert.InRange(down.GetProperty("stabilizationWindowSeconds").GetInt32(), 300, 3600);
        Assert.All(down.GetProperty("policies").EnumerateArray(), p =>
        {
            Assert.Equal("Pods", p.GetProperty("type").GetString());
            Assert.Equal(1, p.GetProperty("value").GetInt32());
            Assert.True(p.GetProperty("periodSeconds").GetInt32() > grace, "a silo must be gone before the next one starts draining");
        });
    }

    [Theory]
    [InlineData("kustomize-base", "worldcluster-model")]
    [InlineData("chart-default", "wc-worldcluster-model")]
    public async Task Without_the_autoscaling_option_model_silos_keep_a_fixed_count_and_still_drain_by_migration(string source, string model)
    {
        var objects = await RenderAsync(source);

        var deployment = Assert.Single(objects, o => Is(o, "Deployment", model));
        Assert.True(deployment.GetProperty("spec").TryGetProperty("replicas", out _));
        Assert.Equal("true", Env(deployment.GetProperty("spec").GetProperty("template").GetProperty("spec"))["WorldCluster__Worlds__DrainByMigration"]);
        Assert.DoesNotContain(objects, o => Kind(o) is "HorizontalPodAutoscaler" or "ScaledObject" && Targets(o) == model);
    }

    [Fact]
    public async Task The_prometheus_adapter_rules_read_only_series_the_silo_exports_under_its_own_names()
    {
        var adapter = await RenderedManifests.FileAsync("deploy/k8s/prometheus-adapter/config.yaml");

        var rules = adapter.GetProperty("rules").EnumerateArray().ToArray();
        Assert.Equal(
            [MetricNames.BatchQueueDelaySeconds, MetricNames.BatcherBusyRatio, MetricNames.ResidentStateBudgetRatio],
            rules.Select(r => r.GetProperty("name").GetProperty("as").GetString()!).Order(StringComparer.Ordinal));
        foreach (var rule in rules)
        {
            var queries = rule.GetProperty("seriesQuery").GetString() + " " + rule.GetProperty("metricsQuery").GetString();
            Assert.All(Series().Matches(queries).Select(m => m.Value), m => Assert.True(IsExported(m), $"{m} is not a metric the silo exports"));
            var overrides = rule.GetProperty("resources").GetProperty("overrides");
            Assert.Equal("pod", overrides.GetProperty("pod").GetProperty("resource").GetString());
        }
    }

    private static Task<IReadOnlyList<JsonElement>> RenderAsync(string source) => source switch
    {
        "kustomize-base" => RenderedManifests.KustomizeAsync("deploy/k8s"),
        "kustomize-hpa" => RenderedManifests.KustomizeAsync("deploy/overlays/model-autoscaling-hpa"),
        "kustomize-keda" => RenderedManifests.KustomizeAsync("deploy/overlays/model-autoscaling-keda"),
        "chart-default" => RenderedManifests.ChartAsync("--set", "storage.existingSecret=wc-storage"),
        "chart-hpa" => RenderedManifests.ChartAsync("--set", "storage.existingSecret=wc-storage", "--set", "model.autoscaling.enabled=true"),
        "chart-keda" => RenderedManifests.ChartAsync("--set", "storage.existingSecret=wc-storage", "--set", "model.autoscaling.enabled=true",
            "--set", "model.autoscaling.kind=keda", "--set", "model.autoscaling.keda.serverAddress=http://prometheus:9090", "--api-versions", KedaApi),
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "no such render"),
    };

    private static string? Kind(JsonElement o) => o.GetProperty("kind").GetString();

    private static bool Is(JsonElement o, string kind, string name) => Kind(o) == kind && o.GetProperty("metadata").GetProperty("name").GetString() == name;

    private static string? Targets(JsonElement o) =>
        o.GetProperty("spec").TryGetProperty("scaleTargetRef", out var target) ? target.GetProperty("name").GetString() : null;

    private static Dictionary<string, string?> Env(JsonElement pod) =>
        pod.GetProperty("containers")[0].GetProperty("env").EnumerateArray()
            .ToDictionary(e => e.GetProperty("name").GetString()!, e => e.TryGetProperty("value", out var v) ? v.GetString() : null);

    // A histogram is scraped as _bucket, _sum and _count.
    private static bool IsExported(string series) => Exported.Contains(series) || Exported.Contains(HistogramSuffix().Replace(series, ""));

    [GeneratedRegex("worldcluster_[a-z0-9_]+")]
    private static partial Regex Series();

    [GeneratedRegex("_(bucket|sum|count)$")]
    private static partial Regex HistogramSuffix();
}
