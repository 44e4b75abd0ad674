using Azure.Storage.Blobs;

namespace WorldCluster.Runtime.Tests.Fixtures;

/// <summary>A blob container name of its own on Azurite, for one test; <see cref="DeleteAsync"/> cleans up after it.</summary>
/// <param name="azurite">The Azurite the container lives on.</param>
public sealed class ScratchContainer(AzuriteFixture azurite)
{
    /// <summary>The container's name (not created: stores create their container on first write).</summary>
    public string Name { get; } = $"wc-{Guid.NewGuid():N}";

    /// <summary>A client of the container, to look at what a store wrote.</summary>
    public BlobContainerClient Client => new(azurite.ConnectionString, Name);

    /// <summary>Deletes the container, if something made it.</summary>
    public async Task DeleteAsync()
    {
        // A fault test stops Azurite; if it failed before starting it again, that test says so, and nothing is left to delete.
        if (azurite.IsRunning)
        {
            await Client.DeleteIfExistsAsync();
        }
    }
}
