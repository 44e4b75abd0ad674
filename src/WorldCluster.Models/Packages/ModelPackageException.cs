namespace WorldCluster.Models.Packages;

/// <summary>A model package cannot be loaded; the message names the package, and the field or file at fault.</summary>
public sealed class ModelPackageException : Exception
{
    /// <summary>Creates the exception for the package at <paramref name="package"/> (its folder, or <c>name@version</c> once known).</summary>
    public ModelPackageException(string package, string problem, Exception? innerException = null)
        : base($"model package {package}: {problem}", innerException)
    {
        Package = package;
        Problem = problem;
    }

    /// <summary>Creates the exception.</summary>
    public ModelPackageException()
        : this("(unknown)", "cannot be loaded")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ModelPackageException(string message)
        : this("(unknown)", message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ModelPackageException(string message, Exception innerException)
        : this("(unknown)", message, innerException)
    {
    }

    /// <summary>The package: its folder or <c>name@version</c>.</summary>
    public string Package { get; }

    /// <summary>What is wrong, without the package prefix.</summary>
    public string Problem { get; }
}
