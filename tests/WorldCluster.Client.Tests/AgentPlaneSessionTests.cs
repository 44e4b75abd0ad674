using WorldCluster.Contracts.Plane;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Client.Tests;

public sealed class AgentPlaneSessionTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    private readonly WorldClusterClient _client = new(host.Http);

    [Fact]
    public async Task Pipelined_steps_over_the_plane_match_the_http_api()
    {
        var a = await _client.CreateWorldAsync("reference-world", seed: 5, players: 1);
        var b = await _client.CreateWorldAsync("reference-world", seed: 6, players: 1);
        await using var plane = await _client.ConnectAgentPlaneAsync();

        var bound = await plane.BindAsync([new PlaneBindEntry(0, a.Id), new PlaneBindEntry(1, b.Id, MaxEpisodeSteps: 2)]);
        Assert.Equal([new PlaneBoundEntry(0, 1, 6), new PlaneBoundEntry(1, 1, 6)], bound);
        Assert.Equal([3, 64, 64], plane.FrameShape!);
        await plane.SendStepAsync([1, 2], [0, 1]);
        await plane.SendStepAsync([3, 4], [0, 1]);
        var first = await plane.ReceiveAsync();
        var second = await plane.ReceiveAsync();

        Assert.Equal((1L, 1L, 2L, 2L), (first.Tick(0), first.Tick(1), second.Tick(0), second.Tick(1)));
        Assert.Equal((false, true), (second.Truncated(0), second.Truncated(1)));
        Assert.Equal((await _client.GetWorldAsync(a.Id)).StateDigest, second.Digest(0));
        Assert.Equal((await _client.GetWorldAsync(b.Id)).StateDigest, second.Digest(1));
        Assert.Equal(3 * 64 * 64, second.Frame(1).Length);
    }

    [Fact]
    public async Task A_refused_step_throws_with_its_status_and_steps_nothing()
    {
        var a = await _client.CreateWorldAsync("reference-world", seed: 7, players: 1);
        await using var plane = await _client.ConnectAgentPlaneAsync();
        await plane.BindAsync([new PlaneBindEntry(0, a.Id)]);

        await plane.SendStepAsync([9], [0]);
        var refused = await Assert.ThrowsAsync<WorldClusterException>(() => plane.ReceiveAsync());

        Assert.Equal(400, refused.Status);
        Assert.Contains("outside the action space", refused.Problem.Detail);
        Assert.Equal(0L, (await _client.GetWorldAsync(a.Id)).Tick);
    }

    [Fact]
    public async Task Without_an_admin_token_the_plane_is_refused_with_the_problem()
    {
        using var anonymous = host.ClientWith(null);
        var refused = await Assert.ThrowsAsync<WorldClusterException>(() => new WorldClusterClient(anonymous).ConnectAgentPlaneAsync());
        Assert.Equal(401, refused.Status);
    }
}
