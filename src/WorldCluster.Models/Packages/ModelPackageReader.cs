using System.Text.Json;
using WorldCluster.Models.Catalog;
using WorldCluster.Models.Contract;

namespace WorldCluster.Models.Packages;

/// <summary>Reads and validates a package's <c>model.json</c>; every problem is a <see cref="ModelPackageException"/> naming the field.</summary>
public static class ModelPackageReader
{
    private const long MaxManifestBytes = 1024 * 1024;
    private const int MaxTensorElements = 1 << 26;

    /// <summary>Reads the package in <paramref name="folder"/>.</summary>
    public static ModelPackage Read(string folder)
    {
        folder = Path.GetFullPath(folder);
        var path = Path.Combine(folder, ModelPackageManifest.FileName);
        if (!File.Exists(path))
        {
            throw new ModelPackageException(folder, $"{ModelPackageManifest.FileName} is missing");
        }
        if (new FileInfo(path).Length > MaxManifestBytes)
        {
            throw new ModelPackageException(folder, $"{ModelPackageManifest.FileName} is larger than {MaxManifestBytes} bytes");
        }
        ModelPackageManifest? json;
        try
        {
            json = JsonSerializer.Deserialize<ModelPackageManifest>(File.ReadAllBytes(path), ModelPackageManifest.JsonOptions);
        }
        catch (JsonException e)
        {
            var where = e.Path is null ? "" : $" at {e.Path}";
            var line = e.LineNumber is { } l ? $" (line {l + 1})" : "";
            throw new ModelPackageException(folder, $"{ModelPackageManifest.FileName} is not a valid manifest{where}{line}: {FirstSentence(e.Message)}", e);
        }
        return json is null
            ? throw new ModelPackageException(folder, $"{ModelPackageManifest.FileName} is empty (null)")
            : Validate(folder, json);
    }

    /// <summary>Validates a parsed manifest of the package in <paramref name="folder"/>.</summary>
    public static ModelPackage Validate(string folder, ModelPackageManifest json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var fail = (string problem) => new ModelPackageException(folder, problem);
        if (json.Format != ModelPackageManifest.CurrentFormat)
        {
            throw fail($"'format' is {Show(json.Format)}; this build reads format {ModelPackageManifest.CurrentFormat}");
        }
        if (!ModelReference.IsValidName(json.Name))
        {
            throw fail($"'name' is {Show(json.Name)}; use 1-64 characters of a-z, 0-9, '.', '_' and '-'");
        }
        if (!ModelReference.IsValidVersion(json.Version))
        {
            throw fail($"'version' is {Show(json.Version)}; use MAJOR.MINOR.PATCH (e.g. 1.0.0)");
        }
        var weights = json.Weights ?? throw fail("'weights' is missing ({ \"file\", \"format\", \"sha256\" })");
        if (string.IsNullOrWhiteSpace(weights.File))
        {
            throw fail("'weights.file' is missing");
        }
        var weightsPath = InsideFolder(folder, weights.File, "weights.file", fail);
        if (weights.Format is not (ModelWeightsFormat.TorchSharp or ModelWeightsFormat.TorchScript or ModelWeightsFormat.Onnx))
        {
            throw fail($"'weights.format' is {Show(weights.Format)}; use '{ModelWeightsFormat.TorchSharp}', '{ModelWeightsFormat.TorchScript}' or '{ModelWeightsFormat.Onnx}'");
        }
        var sha = Sha256(weights.Sha256, "weights.sha256", weights.File, fail);
        (string, string)? init = null;
        if (weights.Format == ModelWeightsFormat.Onnx)
        {
            var initJson = weights.Init ?? throw fail("'weights.init' is missing: onnx weights are two graphs; name the init graph ({ \"file\": \"init.onnx\", \"sha256\" })");
            if (string.IsNullOrWhiteSpace(initJson.File))
            {
                throw fail("'weights.init.file' is missing");
            }
            init = (InsideFolder(folder, initJson.File, "weights.init.file", fail), Sha256(initJson.Sha256, "weights.init.sha256", initJson.File, fail));
            if (json.Memory is not null)
            {
                throw fail("'memory' is not supported for onnx weights yet (the graph convention has no memory inputs); use torchscript for a model with scene memory");
            }
        }
        else if (weights.Init is not null)
        {
            throw fail($"'weights.init' is only for onnx weights; {weights.Format} weights are one file");
        }
        if (weights.Format == ModelWeightsFormat.TorchSharp && string.IsNullOrWhiteSpace(json.Architecture))
        {
            throw fail("'architecture' is missing: torchsharp weights need the id of the architecture that reads them");
        }
        var obs = json.Observation ?? throw fail("'observation' is missing ({ \"channels\", \"height\", \"width\" })");
        if (obs.Channels is not (1 or 3 or 4) || obs.Height is not (>= 1 and <= 4096) || obs.Width is not (>= 1 and <= 4096))
        {
            throw fail($"'observation' is {Show(obs.Channels)}x{Show(obs.Height)}x{Show(obs.Width)}; channels must be 1, 3 or 4 and height and width 1..4096");
        }
        var maxPlayers = json.MaxPlayers is >= 1 and <= 64 ? json.MaxPlayers.Value : throw fail($"'maxPlayers' is {Show(json.MaxPlayers)}; use 1..64");
        var actions = ActionSpaceReader.Read(json.ActionSpace, fail);
        if (json.State is not { Count: > 0 } stateJson)
        {
            throw fail("'state' is missing or empty: list the per-world state tensors");
        }
        var state = stateJson.Select((t, i) => ReadTensor(t, $"state[{i}]", fail)).ToList();
        var duplicate = state.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw fail($"'state' names '{duplicate.Key}' twice");
        }
        var context = json.ContextLength ?? 0;
        if (context < 0)
        {
            throw fail($"'contextLength' is {context}; use 0 or more");
        }
        MemorySpec? memory = null;
        if (json.Memory is { } m)
        {
            if (string.IsNullOrWhiteSpace(m.KeyName))
            {
                throw fail("'memory.keyName' is missing (what the key means, e.g. \"room\")");
            }
            var entry = ReadTensor(m.Entry ?? throw fail("'memory.entry' is missing"), "memory.entry", fail);
            var max = m.MaxEntries is >= 1 and <= 4096 ? m.MaxEntries.Value : throw fail($"'memory.maxEntries' is {Show(m.MaxEntries)}; use 1..4096");
            memory = new MemorySpec(m.KeyName, entry, max);
        }
        var buckets = json.BatchBuckets ?? [];
        if (buckets.Any(b => b < 1 || b > 4096) || buckets.Zip(buckets.Skip(1)).Any(p => p.First >= p.Second))
        {
            throw fail($"'batchBuckets' is [{string.Join(", ", buckets)}]; use strictly ascending sizes of 1..4096, or [] for any size");
        }
        var manifest = new ModelManifest(json.Name!, json.Version!, maxPlayers, new ObservationShape(obs.Channels.Value, obs.Height.Value, obs.Width.Value),
            actions, state, context, json.BatchInvariant ?? false, [.. buckets], memory);
        return new ModelPackage(folder, manifest, json.Architecture, weights.Format, weightsPath, sha, json.Description, json.License) { InitWeights = init };
    }

    private static string InsideFolder(string folder, string file, string field, Func<string, ModelPackageException> fail)
    {
        var path = Path.GetFullPath(Path.Combine(folder, file));
        return path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? path
            : throw fail($"'{field}' ({file}) points outside the package folder");
    }

    private static string Sha256(string? value, string field, string file, Func<string, ModelPackageException> fail) =>
        value is { Length: 64 } sha && sha.All(char.IsAsciiHexDigit)
            ? sha.ToLowerInvariant()
            : throw fail($"'{field}' is {Show(value)}; give the file's SHA-256 as 64 hex digits (sha256sum {file})");

    private static StateTensorSpec ReadTensor(ModelPackageManifest.TensorEntry? json, string field, Func<string, ModelPackageException> fail)
    {
        var t = json ?? throw fail($"'{field}' is null");
        if (string.IsNullOrWhiteSpace(t.Name) || t.Name.Length > 64)
        {
            throw fail($"'{field}.name' is {Show(t.Name)}; give each tensor a name of 1-64 characters");
        }
        StateDType dtype = t.DType switch
        {
            "uint8" => StateDType.UInt8,
            "int32" => StateDType.Int32,
            "int64" => StateDType.Int64,
            "float32" => StateDType.Float32,
            _ => throw fail($"'{field}.dtype' is {Show(t.DType)}; use uint8, int32, int64 or float32"),
        };
        if (t.Shape is null || t.Shape.Any(d => d < 1) || t.Shape.Aggregate(1.0, (a, d) => a * d) > MaxTensorElements)
        {
            throw fail($"'{field}.shape' is [{string.Join(", ", t.Shape ?? [])}]; give positive sizes without the batch dimension, at most {MaxTensorElements} elements");
        }
        return new StateTensorSpec(t.Name, dtype, [.. t.Shape]);
    }

    private static string Show<T>(T? value) => value is null ? "missing" : $"'{value}'";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
