using WorldCluster.Abstractions;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldId = WorldCluster.Contracts.WorldId;

namespace WorldCluster.Runtime.Tests.Durability;

/// <summary>
/// Worlds written by the code before structured action spaces (tests/fixtures/worlds/format-1, committed data folder)
/// resume with the digests that code reached, and their journals still replay: forks at ticks inside the journal
/// match fresh worlds stepped the same way today.
/// </summary>
public sealed class StoredWorldFixtureTests(WorldClusterFixture fixture) : IClassFixture<WorldClusterFixture>
{
    [Theory]
    [InlineData("w-stored-reference-1", "reference-world", 2, "6448408f132dd7ffa7b66310d346cf6557ad47e727d12326f6f47192fd306e1b")]
    [InlineData("w-stored-linear-1", "linear-test", 1, "1dacec99904cd5f0dfd708b562e12757001c2926d4511ec3c997ee64fc3d946f")]
    public async Task An_old_world_resumes_with_its_stored_digest_and_forks_inside_its_journal_exactly(string id, string model, int players, string digest)
    {
        CopyFixture();
        var stored = fixture.Client.GetGrain<IWorldGrain>(id);

        var back = await stored.GetAsync();

        Assert.Equal((10L, digest), (back.Tick, back.StateDigest));
        var fresh = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        await fresh.CreateAsync(new CreateWorldRequest(model, 2026, players));
        var digests = new List<string>();
        for (var t = 0; t < 10; t++)
        {
            digests.Add((await fresh.StepAsync(new StepRequest([.. Enumerable.Range(0, players).Select(p => (t + (2 * p)) % 4)]))).StateDigest);
        }
        Assert.Equal(digest, digests[^1]);
        // Ticks 8 and 9 are rebuilt from the snapshot at 7 and the old journal's records.
        foreach (var tick in new[] { 8, 9 })
        {
            var fork = await stored.ForkAsync(new ForkRequest(WorldId.New(), tick));
            Assert.Equal(digests[tick - 1], fork.StateDigest);
        }
    }

    // Copies the committed data folder into the cluster's store, never over a file already there.
    private void CopyFixture()
    {
        var source = Path.Combine(AzuriteFixture.FindRepositoryRoot(), "tests", "fixtures", "worlds", "format-1");
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)))
        {
            var target = Path.Combine(fixture.DataRoot, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (!File.Exists(target))
            {
                File.Copy(file, target);
            }
        }
    }
}
