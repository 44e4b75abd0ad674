using Azure.Core;

namespace WorldCluster.Runtime.Storage;

/// <summary>Settings of <see cref="AzureBlobWorldStore"/>: where the container is, and how hard to try before giving up.</summary>
public sealed class AzureBlobWorldStoreOptions
{
    /// <summary>A storage connection string (Azurite's, or an account key's); leave null to use <see cref="ServiceUri"/> and <see cref="Credential"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The blob service endpoint (<c>https://&lt;account&gt;.blob.core.windows.net</c>), used with <see cref="Credential"/> when there is no connection string.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The identity that reaches <see cref="ServiceUri"/> (a managed identity, for instance).</summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>The container that holds everything; created on the first write that finds it missing.</summary>
    public string ContainerName { get; set; } = "worldcluster";

    /// <summary>How long one request may wait for the service before it counts as failed (and is retried).</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a failed request is retried (exponential back-off) before the error reaches the caller.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The back-off before the first retry; it doubles with each retry, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest back-off between two retries.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(2);
}
