using WorldCluster.Abstractions;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldId = WorldCluster.Contracts.WorldId;

namespace WorldCluster.Runtime.Tests.Worlds;

/// <summary>
/// A world of a keys + mouse model steps with JSON actions, refuses bad ones naming the field with nothing applied,
/// and comes back from its journal and forks with exact float bits.
/// </summary>
public sealed class StructuredActionTests(WorldClusterFixture fixture) : IClassFixture<WorldClusterFixture>
{
    [Fact]
    public async Task Keys_and_mouse_move_the_world_and_it_resumes_and_forks_exactly()
    {
        var world = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        await world.CreateAsync(new CreateWorldRequest("keys-mouse-test", 1, 2));

        var first = await world.StepAsync(new StepRequest([], """[{"keys": ["W", "D"], "mouse": [0.1, -0.3333333]}, {}]"""));
        var second = await world.StepAsync(new StepRequest([], """[{"mouse": [99.5, 1e-7]}, {"keys": ["A"]}]"""));
        Assert.Equal(2, second.Tick);
        Assert.Equal(1, (await world.GetFrameAsync()).Pixels[0]); // slot 1 holds A; slot 0 sent no keys this step

        await fixture.Cluster.DeactivateAsync(world);
        await fixture.Cluster.WaitForDeactivationAsync(world);
        Assert.Equal(second.StateDigest, (await world.GetAsync()).StateDigest);
        var fork = await world.ForkAsync(new ForkRequest(WorldId.New(), 1));
        Assert.Equal(first.StateDigest, fork.StateDigest);
        // The same actions as packed words (floats as their bits) from a grain client reach the same state.
        var words = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        await words.CreateAsync(new CreateWorldRequest("keys-mouse-test", 1, 2));
        int[] packed = [1, 0, 0, 1, BitConverter.SingleToInt32Bits(0.1f), BitConverter.SingleToInt32Bits(-0.3333333f), 0, 0, 0, 0, 0, 0];
        Assert.Equal(first.StateDigest, (await words.StepAsync(new StepRequest(packed))).StateDigest);
    }

    [Theory]
    [InlineData("""[{"mouse": ["NaN", 0]}, {}]""", "actions[0].mouse[0] (dx) is \"NaN\"")]
    [InlineData("""[{"mouse": [1e39, 0]}, {}]""", "actions[0].mouse[0] (dx) is 1e39")]
    [InlineData("""[{}, {"mouse": [0, -100.01]}]""", "actions[1].mouse[1] (dy) is -100.01, outside [-100, 100]")]
    [InlineData("""[{"keys": ["Space"]}, {}]""", "actions[0].keys[0] is \"Space\", not a key of the space (keys: W, A, S, D)")]
    [InlineData("""[{"mouse": [1]}, {}]""", "actions[0].mouse has 1 values; expected 2 numbers (dx, dy)")]
    [InlineData("""[{}]""", "expected 2 actions (one per player slot), got 1")]
    public async Task A_bad_action_is_refused_naming_the_field_and_changes_nothing(string actions, string expected)
    {
        var world = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        await world.CreateAsync(new CreateWorldRequest("keys-mouse-test", 1, 2));
        var before = await world.StepAsync(new StepRequest([], """[{"keys": ["S"]}, {}]"""));

        var refused = await Assert.ThrowsAsync<WorldRequestException>(() => world.StepAsync(new StepRequest([], actions)));

        Assert.Equal(WorldErrorKind.BadRequest, refused.Kind);
        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        var after = await world.GetAsync();
        Assert.Equal((before.Tick, before.StateDigest), (after.Tick, after.StateDigest));
    }

    [Fact]
    public async Task A_session_action_is_checked_against_the_space_and_a_bad_one_is_refused_naming_the_field()
    {
        var world = fixture.Client.GetGrain<IWorldGrain>(WorldId.New());
        await world.CreateAsync(new CreateWorldRequest("keys-mouse-test", 1, 2));
        var player = await world.JoinAsync(new JoinRequest(ParticipantRole.Player, "ann"));

        await world.ActJsonAsync(player.SessionId, """{"keys": ["W"], "mouse": [1.5, 0]}""");
        await world.ActJsonAsync(player.SessionId, """{"mouse": [2, 0]}""");
        var nan = await Assert.ThrowsAsync<WorldRequestException>(() => world.ActJsonAsync(player.SessionId, """{"mouse": ["NaN", 0]}"""));
        var integer = await Assert.ThrowsAsync<WorldRequestException>(() => world.ActAsync(player.SessionId, 3));

        Assert.Equal(WorldErrorKind.BadRequest, nan.Kind);
        Assert.Contains("action.mouse[0] (dx) is \"NaN\"", nan.Message, StringComparison.Ordinal);
        Assert.Contains("action is 3; expected an object of keys, mouse", integer.Message, StringComparison.Ordinal);
    }
}
