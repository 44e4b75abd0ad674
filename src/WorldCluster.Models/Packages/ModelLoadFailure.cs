namespace WorldCluster.Models.Packages;

/// <summary>A model this silo was to serve but could not: which one, where, and why.</summary>
/// <param name="Package"><c>name@version</c> when the manifest could be read, else the folder (or the configured name).</param>
/// <param name="Folder">The package folder (empty for a configured name no folder holds).</param>
/// <param name="Error">What is wrong and what to fix.</param>
public sealed record ModelLoadFailure(string Package, string Folder, string Error);
