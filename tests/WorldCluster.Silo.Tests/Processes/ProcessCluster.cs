using System.Globalization;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Processes;

/// <summary>
/// Silo processes on loopback over Azurite, for the tests that kill them: the emulator, a data folder per silo under one
/// temporary root, and one name that every silo shares as its store container (and, clustered, as its cluster id).
/// </summary>
/// <remarks>
/// Start it and dispose of it with the test (<see cref="IAsyncLifetime"/>); disposing stops Azurite and deletes the data,
/// so dispose of the silos first.
/// </remarks>
public sealed class ProcessCluster : IAsyncLifetime
{
    private readonly bool _clustered;
    private readonly TimeSpan _deadline;
    private readonly string[] _arguments;

    private ProcessCluster(string name, bool clustered, bool persistent, TimeSpan deadline, IEnumerable<string> arguments)
    {
        _clustered = clustered;
        _deadline = deadline;
        _arguments = [.. arguments];
        Azurite = AzuriteFixture.For(clustered ? AzuriteServices.Blob | AzuriteServices.Table : AzuriteServices.Blob, persistent);
        DataRoot = Directory.CreateTempSubdirectory($"worldcluster-{name}-").FullName;
        Name = $"{name}-{Guid.NewGuid():N}"[..20];
    }

    /// <summary>
    /// Silos that form one Orleans cluster through Azure Table membership and keep worlds in one Azure Blob container; a
    /// killed silo is declared dead within seconds.
    /// </summary>
    /// <param name="name">What the test calls the cluster (lower-case letters and digits, at most 12): the start of its folder, cluster id and container.</param>
    /// <param name="deadline">How long a silo may take to be ready.</param>
    /// <param name="arguments">Host arguments every silo gets.</param>
    public static ProcessCluster Clustered(string name, TimeSpan deadline, params IEnumerable<string> arguments) =>
        new(name, clustered: true, persistent: false, deadline, arguments);

    /// <summary>Silos that keep worlds in one Azure Blob container, each a cluster of its own.</summary>
    /// <param name="name">What the test calls the cluster (lower-case letters and digits, at most 12): the start of its folder and container.</param>
    /// <param name="deadline">How long a silo may take to be ready.</param>
    /// <param name="persistent">Keep Azurite's data on disk, so it survives <see cref="AzuriteFixture.StopAsync"/> and <see cref="AzuriteFixture.StartAsync"/>.</param>
    /// <param name="arguments">Host arguments every silo gets.</param>
    public static ProcessCluster OverBlobStorage(string name, TimeSpan deadline, bool persistent, params IEnumerable<string> arguments) =>
        new(name, clustered: false, persistent, deadline, arguments);

    /// <summary>The emulator the silos keep worlds in (and, clustered, find each other through).</summary>
    public AzuriteFixture Azurite { get; }

    /// <summary>The temporary folder that holds each silo's data folder.</summary>
    public string DataRoot { get; }

    /// <summary>The store container every silo uses, and the cluster id when clustered.</summary>
    public string Name { get; }

    /// <summary>Starts a silo process in the data folder <paramref name="folder"/> (the same one again when restarted under that name) and waits until it is ready.</summary>
    /// <param name="folder">The silo's data folder under <see cref="DataRoot"/>.</param>
    /// <param name="role">The silo's <c>WorldCluster:Role</c>, or null for the host's default.</param>
    public Task<SiloProcess> StartSiloAsync(string folder, string? role = null)
    {
        string[] roleArguments = role is null ? [] : ["--WorldCluster:Role", role];
        return SiloProcess.StartAsync(Directory.CreateDirectory(Path.Combine(DataRoot, folder)).FullName,
            [.. roleArguments, .. SharedArguments(), .. _arguments], _deadline);
    }

    /// <summary>The port in a silo address as the API reports it (<c>S127.0.0.1:PORT:…</c>), to compare with <see cref="SiloProcess.SiloPort"/>.</summary>
    public static int PortOf(string siloAddress) =>
        int.Parse(siloAddress.TrimStart('S').Split(':')[1], CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public Task InitializeAsync() => Azurite.InitializeAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Azurite.DisposeAsync();
        Directory.Delete(DataRoot, recursive: true);
    }

    // Read when a silo starts: the connection string names Azurite's ports, which are chosen when it starts.
    private string[] SharedArguments()
    {
        string[] store =
        [
            "--WorldCluster:Store:Kind", "azure-blob",
            "--WorldCluster:Store:ConnectionString", Azurite.ConnectionString,
            "--WorldCluster:Store:Container", Name,
        ];
        if (!_clustered)
        {
            return store;
        }
        return
        [
            "--WorldCluster:ClusterId", Name,
            "--WorldCluster:Clustering:Kind", "azure-table",
            "--WorldCluster:Clustering:ConnectionString", Azurite.ConnectionString,
            .. store,
            "--WorldCluster:AdvertisedAddress", "127.0.0.1",
            // Declare a killed silo dead within seconds, not the production default of about a minute.
            "--WorldCluster:Membership:ProbeTimeout", "00:00:01",
            "--WorldCluster:Membership:NumMissedProbesLimit", "2",
            "--WorldCluster:Membership:IAmAliveTablePublishTimeout", "00:00:05",
            // And let its worlds activate elsewhere 5 s after it failed, not Orleans' 30 s: the journal's fence keeps a
            // silo that was only thought dead from writing to them (docs/operations.md).
            "--WorldCluster:Directory:RangeLeaseDuration", "00:00:05",
        ];
    }
}
