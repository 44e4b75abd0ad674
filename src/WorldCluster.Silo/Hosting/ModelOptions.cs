using WorldCluster.Models.Onnx;

namespace WorldCluster.Silo.Hosting;

/// <summary>Which models a silo serves (section <c>WorldCluster:Models</c>; docs/model-packages.md).</summary>
public sealed class ModelOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "WorldCluster:Models";

    /// <summary>Folders to scan for model packages; empty means <c>models/</c> beside the silo's executable and <c>&lt;data&gt;/models</c>.</summary>
    public List<string> Packages { get; set; } = [];

    /// <summary>Models to serve, as <c>name</c> (its latest version) or <c>name@version</c>; empty means every package found and the built-in models.</summary>
    public List<string> Serve { get; set; } = [];

    /// <summary>Whether each model runs one init and one step at every batch size it will be run at before it is served (docs/model-packages.md).</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>How <c>onnx</c> packages run: execution provider (<c>cpu</c> or <c>cuda</c>), threads, graph optimisation (<c>WorldCluster:Models:Onnx</c>).</summary>
    public OnnxRuntimeSettings Onnx { get; set; } = new();
}
