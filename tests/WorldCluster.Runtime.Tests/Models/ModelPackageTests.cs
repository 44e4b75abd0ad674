using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Reference;
using WorldCluster.Runtime.Batching;
using WorldCluster.Runtime.Metrics;
using WorldCluster.Runtime.Models;
using WorldCluster.Runtime.Models.Packages;

namespace WorldCluster.Runtime.Tests.Models;

public sealed class ModelPackageTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly PackageFolders _folders = new();
    private readonly ModelArchitectures _architectures = PoisonTestModel.Register(new ModelArchitectures());

    public void Dispose() => _folders.Dispose();

    [Fact]
    public void The_committed_torchscript_fixture_loads_with_its_manifest()
    {
        var package = ModelPackageReader.Read(PackageFolders.Fixture);
        using var model = ModelPackageLoader.Load(package, _architectures);

        Assert.IsType<TorchScriptWorldModel>(model);
        Assert.Equal("bouncing-balls@1.0.0", model.Manifest.Id);
        Assert.Equal(["pos", "vel", "active", "trail"], model.Manifest.State.Select(s => s.Name));
        Assert.Equal(new ObservationShape(3, 32, 32), model.Manifest.Observation);
        Assert.Equal(5, model.Manifest.ActionSpace.N);
    }

    [Fact]
    public async Task Torchscript_worlds_step_to_the_same_bits_alone_and_in_a_batch()
    {
        using var model = ModelPackageLoader.Load(ModelPackageReader.Read(PackageFolders.Fixture), _architectures);
        const int Worlds = 5;
        using var alone = Start(model, maxBatch: 1);
        using var together = Start(model, maxBatch: Worlds);
        var first = await Task.WhenAll(Enumerable.Range(0, Worlds).Select(i => alone.InitAsync(new WorldSeed(40 + i, 1 + (i % 2)))));
        var a = first.Select(r => r.State).ToArray();
        var b = a;
        for (var tick = 0; tick < 4; tick++)
        {
            int[][] actions = [.. Enumerable.Range(0, Worlds).Select(i => new[] { (tick + i) % 5, (tick * 2 + i) % 5 })];
            var stepAlone = new ModelStepResult[Worlds];
            for (var i = 0; i < Worlds; i++)
            {
                stepAlone[i] = await alone.StepAsync(a[i], actions[i]).WaitAsync(Deadline);
            }
            var stepTogether = await Task.WhenAll(Enumerable.Range(0, Worlds).Select(i => together.StepAsync(b[i], actions[i]))).WaitAsync(Deadline);
            for (var i = 0; i < Worlds; i++)
            {
                Assert.Equal(stepAlone[i].Frame, stepTogether[i].Frame);
                Assert.Equal(stepAlone[i].State.Tensors.Select(t => t.Data), stepTogether[i].State.Tensors.Select(t => t.Data));
            }
            a = [.. stepAlone.Select(r => r.State)];
            b = [.. stepTogether.Select(r => r.State)];
        }
        // The balls moved: the test compared real steps, not a frozen world.
        Assert.NotEqual(first[0].State.Tensors[0].Data, a[0].Tensors[0].Data);
    }

    [Fact]
    public void A_missing_weights_file_is_named()
    {
        var folder = _folders.CopyFixture("missing");
        File.Delete(Path.Combine(folder, "model.pt"));

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageLoader.Load(ModelPackageReader.Read(folder), _architectures));
        Assert.Contains("bouncing-balls@1.0.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("weights file 'model.pt' is missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checksum_mismatch_is_refused()
    {
        var folder = _folders.CopyFixture("damaged");
        File.AppendAllText(Path.Combine(folder, "model.pt"), "x");

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageLoader.Load(ModelPackageReader.Read(folder), _architectures));
        Assert.Contains("weights file 'model.pt' has SHA-256", e.Message, StringComparison.Ordinal);
        Assert.Contains($"model.json says {ModelPackageReader.Read(folder).WeightsSha256}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_torchscript_is_refused_at_load()
    {
        var folder = _folders.CopyFixture("not-torchscript");
        File.WriteAllText(Path.Combine(folder, "model.pt"), "not a zip");
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("not a zip"u8));
        PackageFolders.EditManifest(folder, j => j["weights"]!["sha256"] = sha);

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageLoader.Load(ModelPackageReader.Read(folder), _architectures));
        Assert.Contains("not a TorchScript module", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_state_shape_that_contradicts_the_model_is_refused_at_load()
    {
        var folder = _folders.CopyFixture("wrong-shape", j => j["state"]![3]!["shape"] = new JsonArray(1, 8, 8));

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageLoader.Load(ModelPackageReader.Read(folder), _architectures));
        Assert.Contains("state 'trail' has shape [4, 1, 16, 16]; the manifest says [4, 1, 8, 8]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_state_dtype_that_contradicts_the_model_is_refused_at_load()
    {
        var folder = _folders.CopyFixture("wrong-dtype", j => j["state"]![0]!["dtype"] = "int32");

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageLoader.Load(ModelPackageReader.Read(folder), _architectures));
        Assert.Contains("state 'pos' is Int64; the manifest says Int32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_state_tensor_is_refused_at_load()
    {
        var folder = _folders.CopyFixture("fewer-tensors", j => j["state"]!.AsArray().RemoveAt(3));

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageLoader.Load(ModelPackageReader.Read(folder), _architectures));
        Assert.Contains("init returned 5 tensors; the manifest needs 4", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type": "continuous", "n": 5}""", "'actionSpace.type' is 'continuous'; the runtime maps discrete actions only")]
    [InlineData("""{"type": "discrete", "n": 0}""", "'actionSpace.n' is '0'")]
    [InlineData("""{"type": "discrete", "n": 5, "names": ["noop", "up"]}""", "'actionSpace.names' has 2 names for 5 actions")]
    public void An_action_space_the_runtime_cannot_map_is_refused(string space, string expected)
    {
        var folder = _folders.CopyFixture("actions", j => j["actionSpace"] = JsonNode.Parse(space));

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageReader.Read(folder));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(folder, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"format\": 1, \"name\": ", "model.json is not a valid manifest")]
    [InlineData("{ \"format\": 1, \"nmae\": \"x\" }", "model.json is not a valid manifest at $.nmae")]
    [InlineData("{ \"format\": 2 }", "'format' is '2'; this build reads format 1")]
    [InlineData("{ \"format\": 1, \"name\": \"Bad Name\" }", "'name' is 'Bad Name'")]
    [InlineData("{ \"format\": 1, \"name\": \"ok\", \"version\": \"1\" }", "'version' is '1'; use MAJOR.MINOR.PATCH")]
    public void A_malformed_manifest_names_what_is_wrong(string json, string expected)
    {
        var folder = Path.Combine(_folders.Root, "malformed");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "model.json"), json);

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageReader.Read(folder));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_architecture_is_named_with_the_known_ones()
    {
        var folder = _folders.WritePoison("unknown-arch", "poison");
        PackageFolders.EditManifest(folder, j => j["architecture"] = "nobody/9");

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageLoader.Load(ModelPackageReader.Read(folder), _architectures));
        Assert.Contains($"architecture 'nobody/9' is not known to this silo (known: {PoisonTestModel.Architecture})", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_torchsharp_package_loads_through_its_registered_architecture()
    {
        var folder = _folders.WritePoison("poison", "poison");

        using var model = ModelPackageLoader.Load(ModelPackageReader.Read(folder), _architectures);

        Assert.IsType<PoisonTestModel>(model);
        Assert.Equal("poison@1.0.0", model.Manifest.Id);
    }

    [Fact]
    public void A_model_whose_init_outputs_nan_is_refused_at_load()
    {
        var folder = _folders.WritePoison("nan", "nan-world", weights: "nan-at-init");

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageLoader.Load(ModelPackageReader.Read(folder), _architectures));
        Assert.Contains("the probe's init returned NaN or infinite values in state 'x'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_nan_step_fails_only_its_world_and_leaves_its_neighbours_stepping()
    {
        using var model = ModelPackageLoader.Load(ModelPackageReader.Read(_folders.WritePoison("poison", "poison")), _architectures);
        using var batcher = Start(model, maxBatch: 2);
        var worlds = await Task.WhenAll(batcher.InitAsync(new WorldSeed(10, 1)), batcher.InitAsync(new WorldSeed(20, 1))).WaitAsync(Deadline);

        var poisoned = batcher.StepAsync(worlds[0].State, [PoisonTestModel.Poison]);
        var healthy = batcher.StepAsync(worlds[1].State, [1]);

        var e = await Assert.ThrowsAsync<ModelStepException>(() => poisoned.WaitAsync(Deadline));
        Assert.Contains("poison@1.0.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("'x' holds NaN or infinite values", e.Message, StringComparison.Ordinal);
        var next = await healthy.WaitAsync(Deadline);
        Assert.Equal(21f, BitConverter.ToSingle(next.State.Tensors[0].Data, 0));
    }

    [Fact]
    public void Duplicate_packages_are_both_refused_and_other_models_still_load()
    {
        _folders.CopyFixture("a/bouncing-balls");
        _folders.CopyFixture("b/bouncing-balls");
        _folders.WritePoison("poison", "poison");

        var report = ModelPackageSet.Load([_folders.Root], [], [], _architectures);

        Assert.Equal(["poison@1.0.0"], report.Models.Select(m => m.Manifest.Id));
        Assert.Equal(2, report.Failures.Count);
        Assert.All(report.Failures, f =>
        {
            Assert.Equal("bouncing-balls@1.0.0", f.Package);
            Assert.Contains("bouncing-balls@1.0.0 is also provided by", f.Error, StringComparison.Ordinal);
        });
        DisposeAll(report);
    }

    [Fact]
    public void A_bad_package_never_stops_the_good_ones()
    {
        _folders.CopyFixture("good");
        var bad = _folders.WritePoison("bad", "bad-one");
        File.AppendAllText(Path.Combine(bad, "weights.txt"), "tampered");
        var builtIn = new BuiltInModel(ReferenceWorld.ReferenceManifest, () => new ReferenceWorld());

        var report = ModelPackageSet.Load([_folders.Root], [], [builtIn], _architectures);

        Assert.Equal(["bouncing-balls@1.0.0", "reference-world@1.0.0"], report.Models.Select(m => m.Manifest.Id).Order(StringComparer.Ordinal));
        var failure = Assert.Single(report.Failures);
        Assert.Equal("bad-one@1.0.0", failure.Package);
        Assert.Contains("has SHA-256", failure.Error, StringComparison.Ordinal);
        DisposeAll(report);
    }

    [Fact]
    public void Serve_picks_the_latest_version_of_a_bare_name_and_reports_unknown_names()
    {
        _folders.WritePoison("p/1.0.0", "poison", "1.0.0");
        _folders.WritePoison("p/1.10.0", "poison", "1.10.0");
        _folders.WritePoison("p/1.9.0", "poison", "1.9.0");

        var report = ModelPackageSet.Load([_folders.Root], ["poison", "poison@1.0.0", "nowhere"], [], _architectures);

        Assert.Equal(["poison@1.0.0", "poison@1.10.0"], report.Models.Select(m => m.Manifest.Id).Order(StringComparer.Ordinal));
        var failure = Assert.Single(report.Failures);
        Assert.Equal("nowhere", failure.Package);
        Assert.Contains("no package folder or built-in model provides it", failure.Error, StringComparison.Ordinal);
        var catalog = new ModelCatalog(report.Models);
        Assert.True(catalog.TryGet("poison", out var latest));
        Assert.Equal("1.10.0", latest.Manifest.Version);
        Assert.True(catalog.TryGet("poison@1.0.0", out var pinned));
        Assert.Equal("1.0.0", pinned.Manifest.Version);
        Assert.False(catalog.TryGet("poison@1.9.0", out _));
        DisposeAll(report);
    }

    private static StepBatcher Start(IWorldModel model, int maxBatch)
    {
        var metrics = new WorldClusterMetrics(Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry()));
        // A batch runs when it is full; the long delay only bounds a test that would otherwise hang.
        var options = new StepBatcherOptions { MaxBatchSize = maxBatch, MaxQueueDelay = TimeSpan.FromMinutes(1) };
        var batcher = new StepBatcher(model, options, TimeProvider.System, metrics, NullLogger.Instance);
        batcher.Start();
        return batcher;
    }

    private static void DisposeAll(ModelLoadReport report)
    {
        foreach (var model in report.Models)
        {
            model.Dispose();
        }
    }
}
