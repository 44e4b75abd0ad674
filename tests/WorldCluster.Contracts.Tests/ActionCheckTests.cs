namespace WorldCluster.Contracts.Tests;

public sealed class ActionCheckTests
{
    [Fact]
    public void One_action_per_slot_inside_the_space_passes()
    {
        Assert.Null(ActionCheck.Problem([0, 5, 3], players: 3, actionCount: 6));
    }

    [Theory]
    [InlineData(new[] { 1, 2 }, 3, "expected 3 actions (one per player slot), got 2")]
    [InlineData(new[] { 1, 2, 3, 4 }, 3, "expected 3 actions (one per player slot), got 4")]
    [InlineData(new[] { 1, 6, 2 }, 3, "action 6 of slot 1 is outside the action space (discrete, 0..5)")]
    [InlineData(new[] { -1, 0, 0 }, 3, "action -1 of slot 0 is outside the action space (discrete, 0..5)")]
    public void A_wrong_count_or_an_action_outside_the_space_is_named(int[] actions, int players, string expected)
    {
        Assert.Equal(expected, ActionCheck.Problem(actions, players, actionCount: 6));
    }

    [Fact]
    public void Missing_actions_count_as_none()
    {
        Assert.Equal("expected 2 actions (one per player slot), got 0", ActionCheck.Problem(null, players: 2, actionCount: 6));
    }

    [Fact]
    public void Without_the_model_only_the_count_is_checked()
    {
        Assert.Null(ActionCheck.Problem([99, -4], players: 2, actionCount: null));
        Assert.NotNull(ActionCheck.Problem([99], players: 2, actionCount: null));
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(5, null)]
    [InlineData(6, "action 6 is outside the action space (discrete, 0..5)")]
    [InlineData(-1, "action -1 is outside the action space (discrete, 0..5)")]
    public void A_single_session_action_is_checked_against_the_space(int action, string? expected)
    {
        Assert.Equal(expected, ActionCheck.Problem(action, actionCount: 6));
    }
}
