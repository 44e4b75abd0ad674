namespace WorldCluster.Runtime.Tests.Fixtures;

/// <summary>
/// A fresh path under the system's temporary folder that does not exist yet, so a test sees exactly what the code under
/// test creates there; deleted, with everything in it, on dispose.
/// </summary>
/// <param name="prefix">The start of the folder's name, to tell whose leftovers are whose.</param>
public sealed class ScratchFolder(string prefix) : IDisposable
{
    /// <summary>The folder's full path.</summary>
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");

    /// <inheritdoc />
    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
