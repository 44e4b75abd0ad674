using WorldCluster.Models.Catalog;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Onnx;
using static TorchSharp.torch;

namespace WorldCluster.Models.Packages;

/// <summary>
/// Finds the packages in a silo's package folders, picks the ones to serve, and loads them. A package that fails never
/// stops the others: it becomes a <see cref="ModelLoadFailure"/> in the report.
/// </summary>
public static class ModelPackageSet
{
    /// <summary>Package folders under <paramref name="roots"/>: a root holding <c>model.json</c>, or folders one or two levels below (<c>name/version/</c>).</summary>
    public static IReadOnlyList<string> Find(IEnumerable<string> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        var found = new List<string>();
        foreach (var root in roots.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal))
        {
            if (!Directory.Exists(root))
            {
                continue;
            }
            if (File.Exists(Path.Combine(root, ModelPackageManifest.FileName)))
            {
                found.Add(root);
                continue;
            }
            var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2, IgnoreInaccessible = true };
            found.AddRange(Directory.EnumerateFiles(root, ModelPackageManifest.FileName, options)
                .Select(f => Path.GetDirectoryName(f)!)
                .Order(StringComparer.Ordinal));
        }
        return found;
    }

    /// <summary>
    /// Loads what <paramref name="serve"/> names (<c>name</c>: its latest version; <c>name@version</c>: that one) from the
    /// packages under <paramref name="roots"/> and <paramref name="builtIns"/>; an empty list serves everything found.
    /// Every model is warmed up (<see cref="ModelProbe.WarmUp"/>) before it is reported loaded: at each of its buckets, or
    /// at 1 and <paramref name="largestBatch"/> (the batcher's <c>MaxBatchSize</c>) when it declares none; unless
    /// <paramref name="warmUp"/> is false (<c>WorldCluster:Models:WarmUp</c>), when only the probe runs.
    /// </summary>
    public static ModelLoadReport Load(
        IEnumerable<string> roots, IReadOnlyList<string> serve, IReadOnlyList<BuiltInModel> builtIns, ModelArchitectures architectures, Device? device = null,
        int largestBatch = ModelProbe.DefaultLargestBatch, bool warmUp = true, OnnxRuntimeSettings? onnx = null)
    {
        ArgumentNullException.ThrowIfNull(serve);
        ArgumentNullException.ThrowIfNull(builtIns);
        var failures = new List<ModelLoadFailure>();
        var packages = new List<ModelPackage>();
        foreach (var folder in Find(roots))
        {
            try
            {
                packages.Add(ModelPackageReader.Read(folder));
            }
            catch (ModelPackageException e)
            {
                failures.Add(new ModelLoadFailure(folder, folder, e.Message));
            }
        }

        // Two packages (or a package and a built-in) claiming one name@version: serving either could resume a world on other weights.
        var builtInIds = builtIns.Select(b => b.Manifest.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var group in packages.GroupBy(p => p.Manifest.Id, StringComparer.Ordinal).ToList())
        {
            var list = group.ToList();
            if (list.Count == 1 && !builtInIds.Contains(group.Key))
            {
                continue;
            }
            foreach (var p in list)
            {
                var others = list.Where(o => o != p).Select(o => o.Folder).ToList();
                var where = builtInIds.Contains(group.Key) ? ["the built-in model", .. others] : others;
                failures.Add(new ModelLoadFailure(group.Key, p.Folder,
                    $"model package {p.Label}: {group.Key} is also provided by {string.Join(" and ", where)}; remove or re-version all but one"));
                packages.Remove(p);
            }
        }

        var candidates = builtIns.Select(b => (b.Manifest, Package: (ModelPackage?)null, BuiltIn: (BuiltInModel?)b))
            .Concat(packages.Select(p => (p.Manifest, Package: (ModelPackage?)p, BuiltIn: (BuiltInModel?)null)))
            .ToList();
        var chosen = serve.Count == 0 ? candidates : [];
        foreach (var reference in serve)
        {
            var (name, version) = ModelReference.Parse(reference);
            var match = candidates.Where(c => c.Manifest.Name == name && (version is null || c.Manifest.Version == version))
                .OrderByDescending(c => c.Manifest.Version, Comparer<string>.Create(ModelReference.CompareVersions))
                .FirstOrDefault();
            if (match.Manifest is null)
            {
                if (!failures.Any(f => f.Package == reference))
                {
                    failures.Add(new ModelLoadFailure(reference, "",
                        $"model {reference} is to be served (WorldCluster:Models:Serve) but no package folder or built-in model provides it"));
                }
                continue;
            }
            if (!chosen.Any(c => c.Manifest.Id == match.Manifest.Id))
            {
                chosen.Add(match);
            }
        }

        var models = new List<IWorldModel>();
        var warmUps = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var (manifest, package, builtIn) in chosen)
        {
            try
            {
                var model = builtIn is not null ? builtIn.Create() : ModelPackageLoader.Load(package!, architectures, device, onnx);
                try
                {
                    if (warmUp)
                    {
                        warmUps[manifest.Id] = ModelProbe.WarmUp(model, package?.Label ?? manifest.Id, largestBatch);
                    }
                }
                catch
                {
                    model.Dispose();
                    throw;
                }
                models.Add(model);
            }
            catch (ModelPackageException e)
            {
                failures.Add(new ModelLoadFailure(manifest.Id, package?.Folder ?? "", e.Message));
            }
        }
        return new ModelLoadReport(models, failures) { WarmUps = warmUps };
    }
}
