using System.Text;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Storage;
using WorldCluster.Runtime.Tests.Durability;

namespace WorldCluster.Runtime.Tests.Storage;

/// <summary>What the tests of one store's own behaviour write: small heads, and one object of each kind.</summary>
internal static class StoreTestKit
{
    /// <summary>Head content of a version (stores keep heads as opaque bytes; only the contract tests need a real head).</summary>
    public static byte[] Head(int version) => Encoding.UTF8.GetBytes($"{{\"version\":{version}}}");

    /// <summary>Writes one object of each kind: <c>Head(1)</c> as the world's head, a sample snapshot, and <c>Head(2)</c> as journal segment 7.</summary>
    /// <returns>The head's etag, and the snapshot with its hash.</returns>
    public static async Task<(string ETag, string Hash, byte[] Snapshot)> WriteOneOfEachAsync(IWorldStore store, string world)
    {
        var snapshot = WorldSnapshotFormat.Encode(SnapshotSamples.Create());
        var hash = WorldSnapshotFormat.Hash(snapshot);

        var etag = await store.WriteHeadAsync(world, Head(1), ifMatch: null);
        await store.PutSnapshotAsync(hash, snapshot);
        await store.AppendJournalAsync(world, "7", Head(2), 0);
        return (etag, hash, snapshot);
    }
}
