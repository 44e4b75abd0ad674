using System.Text.Json.Nodes;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Onnx;
using WorldCluster.Models.Packages;
using static TorchSharp.torch;

namespace WorldCluster.Models.Tests.Packages;

/// <summary>The ONNX backend: the committed bouncing-balls-onnx fixture against its TorchScript twin, and the refusals at load.</summary>
public sealed class OnnxPackageTests : IDisposable
{
    private readonly PackageFolders _folders = new();
    private readonly ModelArchitectures _architectures = new();

    public void Dispose() => _folders.Dispose();

    [Fact]
    public void The_committed_onnx_fixture_loads_with_its_manifest()
    {
        var package = ModelPackageReader.Read(PackageFolders.OnnxFixture);
        using var model = ModelPackageLoader.Load(package, _architectures);

        Assert.IsType<OnnxWorldModel>(model);
        Assert.Equal("bouncing-balls-onnx@1.0.0", model.Manifest.Id);
        Assert.Equal(["pos", "vel", "active", "trail"], model.Manifest.State.Select(s => s.Name));
        Assert.Equal(Path.Combine(package.Folder, "init.onnx"), package.InitWeights!.Value.Path);
    }

    [Fact]
    public void The_onnx_and_torchscript_exports_of_one_module_follow_the_same_trajectory()
    {
        using var onnx = ModelPackageLoader.Load(ModelPackageReader.Read(PackageFolders.OnnxFixture), _architectures);
        using var script = ModelPackageLoader.Load(ModelPackageReader.Read(PackageFolders.Fixture), _architectures);
        using var scope = NewDisposeScope();
        WorldSeed[] seeds = [new(1, 2), new(2, 1), new(3, 2), new(4, 2)];
        var a = onnx.Init(seeds);
        var b = script.Init(seeds);
        var largestFrameDifference = 0;
        for (var tick = 0; tick <= 24; tick++)
        {
            // The state (integer physics and the float trail: multiplies and adds only) is bit-identical.
            for (var i = 0; i < a.State.Count; i++)
            {
                Assert.True(a.State[i].shape.SequenceEqual(b.State[i].shape) && a.State[i].bytes.SequenceEqual(b.State[i].bytes), $"state '{onnx.Manifest.State[i].Name}' differs at tick {tick}");
            }
            // The frames come from two convolutions and a sigmoid in each runtime's own kernels; on this machine's CPU they
            // agree bit for bit (docs/model-packages.md), which another CPU type need not reproduce.
            largestFrameDifference = Math.Max(largestFrameDifference, (a.Frames.to(ScalarType.Int32) - b.Frames.to(ScalarType.Int32)).abs().max().item<int>());
            var actions = tensor(Enumerable.Range(0, seeds.Length * 2).Select(i => (long)((i * 7 + tick * 3) % 5)).ToArray(), [seeds.Length, 2], ScalarType.Int64);
            a = onnx.Step(a.State, actions);
            b = script.Step(b.State, actions);
        }
        Assert.Equal(0, largestFrameDifference);
    }

    [Fact]
    public void A_world_steps_the_same_at_every_batch_size_so_the_onnx_package_needs_no_buckets()
    {
        using var model = ModelPackageLoader.Load(ModelPackageReader.Read(PackageFolders.OnnxFixture), _architectures);
        Assert.True(model.Manifest.BatchInvariant);
        Assert.Empty(model.Manifest.BatchBuckets);
        var alone = Trajectory(model, 1);
        foreach (var batch in new[] { 2, 3, 5, 16, 33 })
        {
            Assert.Equal(alone, Trajectory(model, batch));
        }
    }

    [Theory]
    [InlineData("state-name", "init.onnx has no output 'next_position' (its outputs: frames, next_active, next_pos, next_trail, next_vel;")]
    [InlineData("state-dtype", "init.onnx output 'next_trail' is Float; the manifest says Int32")]
    [InlineData("state-shape", "init.onnx output 'next_trail' has shape [batch, 1, 16, 16]; the manifest says [batch, 1, 8, 8]")]
    [InlineData("observation", "init.onnx output 'frames' has shape [batch, 3, 32, 32]; the manifest says [batch, 3, 16, 16]")]
    [InlineData("players", "step.onnx input 'actions' has shape [batch, 2]; the manifest says [batch, 3]")]
    public void A_graph_that_contradicts_the_manifest_is_refused_naming_file_and_tensor(string edit, string expected)
    {
        var folder = _folders.CopyFixture(edit, j =>
        {
            var state = j["state"]!.AsArray();
            switch (edit)
            {
                case "state-name": state[0]!["name"] = "position"; break;
                case "state-dtype": state[3]!["dtype"] = "int32"; break;
                case "state-shape": state[3]!["shape"] = new JsonArray(1, 8, 8); break;
                case "observation": j["observation"] = new JsonObject { ["channels"] = 3, ["height"] = 16, ["width"] = 16 }; break;
                case "players": j["maxPlayers"] = 3; break;
            }
        }, PackageFolders.OnnxFixture);

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageLoader.Load(ModelPackageReader.Read(folder), _architectures));
        Assert.StartsWith("model package bouncing-balls-onnx@1.0.0", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_graph_stamped_with_an_opset_too_new_for_onnx_runtime_is_refused()
    {
        var folder = _folders.CopyFixture("opset", fixture: PackageFolders.OnnxFixture);
        File.Copy(Path.Combine(PackageFolders.OnnxGraphs, "step-opset-99.onnx"), Path.Combine(folder, "step.onnx"), overwrite: true);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, "step.onnx"))));
        PackageFolders.EditManifest(folder, j => j["weights"]!["sha256"] = sha);

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageLoader.Load(ModelPackageReader.Read(folder), _architectures));
        Assert.Contains("step.onnx cannot be loaded by ONNX Runtime 1.32.0: it is stamped with opset 99 of ai.onnx, and ONNX Runtime 1.32.0 runs opsets up to ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("step.onnx")]
    [InlineData("init.onnx")]
    public void A_damaged_graph_of_either_kind_is_refused_by_its_checksum(string file)
    {
        var folder = _folders.CopyFixture("damaged", fixture: PackageFolders.OnnxFixture);
        File.AppendAllText(Path.Combine(folder, file), "x");

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageLoader.Load(ModelPackageReader.Read(folder), _architectures));
        Assert.Contains($"weights file '{file}' has SHA-256", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"file\": \"step.onnx\", \"format\": \"onnx\", \"sha256\": \"" + Zeros + "\"}", "'weights.init' is missing: onnx weights are two graphs")]
    [InlineData("{\"file\": \"step.onnx\", \"format\": \"onnx\", \"sha256\": \"" + Zeros + "\", \"init\": {\"file\": \"../init.onnx\", \"sha256\": \"" + Zeros + "\"}}", "'weights.init.file' (../init.onnx) points outside the package folder")]
    [InlineData("{\"file\": \"step.onnx\", \"format\": \"onnx\", \"sha256\": \"" + Zeros + "\", \"init\": {\"file\": \"init.onnx\", \"sha256\": \"abc\"}}", "'weights.init.sha256' is 'abc'")]
    [InlineData("{\"file\": \"model.pt\", \"format\": \"torchscript\", \"sha256\": \"" + Zeros + "\", \"init\": {\"file\": \"init.onnx\", \"sha256\": \"" + Zeros + "\"}}", "'weights.init' is only for onnx weights")]
    public void Onnx_weights_entries_are_validated_naming_the_field(string weights, string expected)
    {
        var folder = _folders.CopyFixture("weights", j => j["weights"] = JsonNode.Parse(weights), PackageFolders.OnnxFixture);

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageReader.Read(folder));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_execution_provider_this_build_lacks_is_a_clear_load_error()
    {
        var package = ModelPackageReader.Read(PackageFolders.OnnxFixture);
        var settings = new OnnxRuntimeSettings { ExecutionProvider = "tpu" };

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageLoader.Load(package, _architectures, onnx: settings));
        Assert.Contains("WorldCluster:Models:Onnx:ExecutionProvider is 'tpu'; use cpu or cuda", e.Message, StringComparison.Ordinal);
    }

    private const string Zeros = "0000000000000000000000000000000000000000000000000000000000000000";

    // The first world's state bytes over 12 ticks, run in a batch of `batch` worlds (the others with other seeds and actions).
    private static List<string> Trajectory(IWorldModel model, int batch)
    {
        using var scope = NewDisposeScope();
        var seeds = Enumerable.Range(0, batch).Select(i => new WorldSeed(i == 0 ? 42 : 1000 + i, 2)).ToArray();
        var output = model.Init(seeds);
        var digests = new List<string>();
        for (var tick = 0; tick < 12; tick++)
        {
            var actions = tensor(Enumerable.Range(0, batch * 2).Select(i => i < 2 ? (long)((tick + i) % 5) : (long)((i * tick) % 5)).ToArray(), [batch, 2], ScalarType.Int64);
            output = model.Step(output.State, actions);
            var first = WorldStateBatch.Unstack(model.Manifest.State, output.State, 1)[0];
            digests.Add(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(first.Tensors.SelectMany(t => t.Data).ToArray()))
                + Convert.ToHexString(output.Frames[0].data<byte>().ToArray()));
        }
        return digests;
    }
}
