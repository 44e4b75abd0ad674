using System.Text.Json;
using System.Text.Json.Serialization;

namespace WorldCluster.Models.Packages;

/// <summary>
/// A package's <c>model.json</c> as written (docs/model-packages.md). Every field is read as optional so that the
/// loader, not the JSON reader, says which one is missing or wrong.
/// </summary>
public sealed record ModelPackageManifest
{
    /// <summary>The file name of a package's manifest.</summary>
    public const string FileName = "model.json";

    /// <summary>The manifest format this build reads.</summary>
    public const int CurrentFormat = 1;

    /// <summary>Manifest format version (1).</summary>
    public int? Format { get; init; }

    /// <summary>Model name (a-z, 0-9, '.', '_', '-').</summary>
    public string? Name { get; init; }

    /// <summary>Model version, <c>MAJOR.MINOR.PATCH</c>.</summary>
    public string? Version { get; init; }

    /// <summary>Architecture id: picks the code that builds a <c>torchsharp</c> model; informative for <c>torchscript</c>.</summary>
    public string? Architecture { get; init; }

    /// <summary>What the model is, for people.</summary>
    public string? Description { get; init; }

    /// <summary>The weights' license, for people.</summary>
    public string? License { get; init; }

    /// <summary>The weights file.</summary>
    public WeightsEntry? Weights { get; init; }

    /// <summary>Frame shape.</summary>
    public ObservationEntry? Observation { get; init; }

    /// <summary>Each player slot's action space.</summary>
    public ActionSpaceEntry? ActionSpace { get; init; }

    /// <summary>Player slots per world.</summary>
    public int? MaxPlayers { get; init; }

    /// <summary>The per-world state tensors, in the order the model takes and returns them.</summary>
    public IReadOnlyList<TensorEntry>? State { get; init; }

    /// <summary>Recent latents the model keeps in its state (0: none).</summary>
    public int? ContextLength { get; init; }

    /// <summary>Long-term scene memory, when the model keys memory by place.</summary>
    public MemoryEntry? Memory { get; init; }

    /// <summary>True when a world's step does not depend on its batch (at the buckets, if any).</summary>
    public bool? BatchInvariant { get; init; }

    /// <summary>Batch sizes to run the model at (ascending; empty: any).</summary>
    public IReadOnlyList<int>? BatchBuckets { get; init; }

    /// <summary>The JSON options manifests are read and written with (camelCase, comments and trailing commas allowed).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The weights file of a package.</summary>
    /// <param name="File">Path relative to the package folder.</param>
    /// <param name="Format"><c>torchsharp</c> (a TorchSharp module's saved state), <c>torchscript</c> (<c>torch.jit.save</c> output) or <c>onnx</c> (the step graph).</param>
    /// <param name="Sha256">SHA-256 of the file, lowercase hex.</param>
    public sealed record WeightsEntry(string? File, string? Format, string? Sha256)
    {
        /// <summary>The init graph of <c>onnx</c> weights (required there, refused for the other formats).</summary>
        public InitWeightsEntry? Init { get; init; }
    }

    /// <summary>The second weights file of an <c>onnx</c> package: the init graph.</summary>
    /// <param name="File">Path relative to the package folder.</param>
    /// <param name="Sha256">SHA-256 of the file, lowercase hex.</param>
    public sealed record InitWeightsEntry(string? File, string? Sha256);

    /// <summary>Frame shape, channels first.</summary>
    public sealed record ObservationEntry(int? Channels, int? Height, int? Width);

    /// <summary>
    /// An action space, or one component of a <c>dict</c> space: <c>discrete</c> with <c>n</c> actions (0 is the no-op),
    /// optionally named; <c>keys</c> with their <c>names</c>; <c>box</c> with each dimension's <c>names</c>, <c>low</c>
    /// and <c>high</c>; <c>dict</c> with its <c>components</c> (each with a <c>name</c>). <c>merge</c> says how a real-time
    /// tick merges what a player sent: <c>tick</c>, <c>latest</c> or (box) <c>sum</c>.
    /// </summary>
    public sealed record ActionSpaceEntry(
        string? Type,
        int? N,
        IReadOnlyList<string>? Names,
        string? Name = null,
        IReadOnlyList<float>? Low = null,
        IReadOnlyList<float>? High = null,
        string? Merge = null,
        IReadOnlyList<ActionSpaceEntry>? Components = null);

    /// <summary>One tensor: name, dtype (<c>uint8</c>, <c>int32</c>, <c>int64</c>, <c>float32</c>) and shape without the batch dimension.</summary>
    public sealed record TensorEntry(string? Name, string? DType, IReadOnlyList<long>? Shape);

    /// <summary>Scene memory settings.</summary>
    public sealed record MemoryEntry(string? KeyName, TensorEntry? Entry, int? MaxEntries);
}
