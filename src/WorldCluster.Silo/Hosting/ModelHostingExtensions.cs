using WorldCluster.Models.Catalog;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Packages;
using WorldCluster.Models.Reference;
using WorldCluster.Runtime.Batching;

namespace WorldCluster.Silo.Hosting;

/// <summary>Loads the models a silo serves: the built-in reference world and the model packages in its package folders.</summary>
public static class ModelHostingExtensions
{
    /// <summary>
    /// Loads the models named by <c>WorldCluster:Models</c> now (placement metadata needs them before the silo starts),
    /// registers them and the load report, and returns what this silo advertises: every served name and <c>name@version</c>.
    /// </summary>
    public static IReadOnlyList<string> AddWorldClusterModels(this WebApplicationBuilder builder, string dataRoot, ModelArchitectures architectures)
    {
        var options = new ModelOptions();
        builder.Configuration.GetSection(ModelOptions.SectionName).Bind(options);
        IReadOnlyList<string> roots = options.Packages.Count > 0
            ? [.. options.Packages.Select(p => Path.GetFullPath(p, builder.Environment.ContentRootPath))]
            : [Path.Combine(AppContext.BaseDirectory, "models"), Path.Combine(dataRoot, "models")];
        BuiltInModel[] builtIns = [new(ReferenceWorld.ReferenceManifest, () => new ReferenceWorld())];
        // The warm-up runs a model without buckets at the largest batch the batcher will give it.
        var batching = new StepBatcherOptions();
        builder.Configuration.GetSection(StepBatcherOptions.SectionName).Bind(batching);
        var report = ModelPackageSet.Load(roots, options.Serve, builtIns, architectures, largestBatch: Math.Max(1, batching.MaxBatchSize), warmUp: options.WarmUp, onnx: options.Onnx);
        foreach (var model in report.Models)
        {
            // A factory registration, so the container disposes the model with the host.
            builder.Services.AddSingleton<IWorldModel>(_ => model);
        }
        builder.Services.AddSingleton(report);
        builder.Services.AddHostedService<ModelLoadReporter>();
        return new ModelCatalog(report.Models).References;
    }
}
