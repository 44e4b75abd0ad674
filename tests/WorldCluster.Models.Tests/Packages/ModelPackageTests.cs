using System.Text.Json.Nodes;
using WorldCluster.Models.Catalog;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Packages;
using WorldCluster.Models.Reference;

namespace WorldCluster.Models.Tests.Packages;

public sealed class ModelPackageTests : IDisposable
{
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
    [InlineData("""{"type": "continuous", "n": 5}""", "'actionSpace.type' is 'continuous'; use discrete, keys, box or dict")]
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
    public void A_negative_context_length_is_refused_naming_the_field()
    {
        var folder = _folders.CopyFixture("context", j => j["contextLength"] = -1);

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageReader.Read(folder));
        Assert.Contains("'contextLength' is -1; use 0 or more", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_without_context_length_loads_with_zero_and_one_with_it_keeps_it_as_information()
    {
        var without = _folders.CopyFixture("no-context", j => j.Remove("contextLength"));
        var with = _folders.CopyFixture("context-8", j => j["contextLength"] = 8);

        Assert.Equal(0, ModelPackageReader.Read(without).Manifest.ContextLength);
        Assert.Equal(8, ModelPackageReader.Read(with).Manifest.ContextLength);
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

    [Theory]
    [InlineData("2, 8", 64, new long[] { 2, 8 })]
    [InlineData("", 16, new long[] { 1, 16 })]
    public void A_served_model_has_been_stepped_at_each_batch_size_it_runs_at_before_it_is_reported_loaded(string buckets, int largestBatch, long[] sizes)
    {
        _folders.WritePoison("counting", "counting", buckets: buckets);

        var report = ModelPackageSet.Load([_folders.Root], [], [], _architectures, largestBatch: largestBatch);

        var model = Assert.IsType<PoisonTestModel>(Assert.Single(report.Models));
        Assert.Empty(report.Failures);
        // Besides the probe's batch of 2 (the smallest bucket, or 2 without buckets).
        Assert.All(sizes, n => Assert.Contains(n, model.InitSizes));
        Assert.All(sizes, n => Assert.Contains(n, model.StepSizes));
        Assert.True(report.WarmUps["counting@1.0.0"] > TimeSpan.Zero);
    }

    [Fact]
    public void Without_warm_up_only_the_probe_runs_the_model()
    {
        _folders.WritePoison("cold", "cold", buckets: "2, 8");

        var report = ModelPackageSet.Load([_folders.Root], [], [], _architectures, warmUp: false);

        var model = Assert.IsType<PoisonTestModel>(Assert.Single(report.Models));
        Assert.Equal([2L], model.StepSizes);
        Assert.Empty(report.WarmUps);
    }

    [Fact]
    public void A_model_that_throws_during_warm_up_is_not_served_and_the_reason_names_the_batch_size()
    {
        // The probe runs at batch 2 and passes; the warm-up's batch of 64 is refused.
        _folders.WritePoison("refuses-large", "refuses-large", weights: "throw-above-2");

        var report = ModelPackageSet.Load([_folders.Root], [], [], _architectures);

        Assert.Empty(report.Models);
        var failure = Assert.Single(report.Failures);
        Assert.Equal("refuses-large@1.0.0", failure.Package);
        Assert.Contains("the warm-up's init at batch 64 failed: the test model refuses a batch of 64", failure.Error, StringComparison.Ordinal);
        Assert.Empty(report.WarmUps);
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

    private static void DisposeAll(ModelLoadReport report)
    {
        foreach (var model in report.Models)
        {
            model.Dispose();
        }
    }
}
