using WorldCluster.Models.Reference;
using static WorldCluster.Models.Tests.Reference.ReferenceTestKit;

namespace WorldCluster.Models.Tests.Reference;

/// <summary>The rules of one tick: moves, blocking, slot order, crates, gems, doors, inactive slots.</summary>
public sealed class ReferenceWorldRulesTests : IDisposable
{
    private readonly ReferenceWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Theory]
    [InlineData(PlayerAction.Up, 4, 5)]
    [InlineData(PlayerAction.Down, 6, 5)]
    [InlineData(PlayerAction.Left, 5, 4)]
    [InlineData(PlayerAction.Right, 5, 6)]
    [InlineData(PlayerAction.Noop, 5, 5)]
    [InlineData(PlayerAction.Interact, 5, 5)]
    public void An_action_moves_the_player_one_cell_its_way(PlayerAction action, int row, int col)
    {
        var (next, _) = Step(_world, QuietRooms(new GridPosition(5, 5)), action);

        Assert.Equal(new GridPosition(row, col), next.Player(0));
    }

    [Fact]
    public void Actions_outside_the_action_space_are_no_ops()
    {
        var start = QuietRooms(new GridPosition(5, 5));
        var noop = StepBatch(_world, [start.ToWorldState()], [[0, 0, 0, 0]]);

        foreach (var invalid in new long[] { -1, 6, 99, long.MinValue })
        {
            var result = StepBatch(_world, [start.ToWorldState()], [[invalid, 0, 0, 0]]);
            Assert.Equal(Hash(noop.States[0]), Hash(result.States[0]));
            Assert.Equal(noop.Frames[0], result.Frames[0]);
        }
    }

    [Fact]
    public void A_wall_blocks_a_move()
    {
        var (next, _) = Step(_world, QuietRooms(new GridPosition(1, 5)), PlayerAction.Up);

        Assert.Equal(new GridPosition(1, 5), next.Player(0));
    }

    [Fact]
    public void Another_player_blocks_a_move() =>
        AssertTwoPlayersMove(from: ((5, 5), (5, 6)), actions: (PlayerAction.Right, PlayerAction.Noop), to: ((5, 5), (5, 6)));

    [Fact]
    public void When_two_players_want_one_cell_the_lower_slot_gets_it() =>
        AssertTwoPlayersMove(from: ((5, 6), (5, 4)), actions: (PlayerAction.Left, PlayerAction.Right), to: ((5, 5), (5, 4)));

    [Fact]
    public void A_later_slot_may_step_into_the_cell_an_earlier_slot_just_left() =>
        AssertTwoPlayersMove(from: ((5, 5), (5, 4)), actions: (PlayerAction.Right, PlayerAction.Right), to: ((5, 6), (5, 5)));

    [Fact]
    public void An_earlier_slot_cannot_step_into_the_cell_a_later_slot_is_about_to_leave() =>
        AssertTwoPlayersMove(from: ((5, 4), (5, 5)), actions: (PlayerAction.Right, PlayerAction.Right), to: ((5, 4), (5, 6)));

    [Fact]
    public void Moving_into_a_crate_pushes_it_onto_the_floor_beyond()
    {
        var start = QuietRooms(new GridPosition(5, 5));
        start[5, 6] = CellType.Crate;

        var (next, _) = Step(_world, start, PlayerAction.Right);

        Assert.Equal(new GridPosition(5, 6), next.Player(0));
        Assert.Equal(CellType.Floor, next[5, 6]);
        Assert.Equal(CellType.Crate, next[5, 7]);
        Assert.Equal(1, next.Count(CellType.Crate));
    }

    [Theory]
    [InlineData(CellType.Wall)]
    [InlineData(CellType.Crate)]
    [InlineData(CellType.Gem)]
    [InlineData(CellType.OpenDoor)]
    [InlineData(CellType.ClosedDoor)]
    public void A_crate_does_not_move_onto_anything_but_floor(CellType beyond)
    {
        var start = QuietRooms(new GridPosition(5, 5));
        start[5, 6] = CellType.Crate;
        start[5, 7] = beyond;

        var (next, _) = Step(_world, start, PlayerAction.Right);

        Assert.Equal(new GridPosition(5, 5), next.Player(0));
        Assert.Equal(CellType.Crate, next[5, 6]);
        Assert.Equal(beyond, next[5, 7]);
    }

    [Fact]
    public void A_crate_does_not_move_onto_a_player()
    {
        var start = QuietRooms(new GridPosition(5, 5));
        start[5, 6] = CellType.Crate;
        start.PlacePlayer(1, new GridPosition(5, 7));

        var (next, _) = Step(_world, start, PlayerAction.Right);

        Assert.Equal(new GridPosition(5, 5), next.Player(0));
        Assert.Equal(CellType.Crate, next[5, 6]);
    }

    [Fact]
    public void A_crate_against_the_room_wall_stays()
    {
        var start = QuietRooms(new GridPosition(5, 13));
        start[5, 14] = CellType.Crate;

        var (next, _) = Step(_world, start, PlayerAction.Right);

        Assert.Equal(new GridPosition(5, 13), next.Player(0));
        Assert.Equal(CellType.Crate, next[5, 14]);
    }

    [Fact]
    public void Stepping_on_a_gem_collects_it_for_that_player_only()
    {
        var start = QuietRooms(new GridPosition(5, 5));
        start.PlacePlayer(1, new GridPosition(8, 8));
        start[8, 9] = CellType.Gem;
        start[8, 10] = CellType.Gem;

        var (once, _) = Step(_world, start, PlayerAction.Noop, PlayerAction.Right);
        var (twice, _) = Step(_world, once, PlayerAction.Noop, PlayerAction.Right);

        Assert.Equal(CellType.Floor, once[8, 9]);
        Assert.Equal(1, once.Score(1));
        Assert.Equal(2, twice.Score(1));
        Assert.Equal(CellType.Floor, twice[8, 10]);
        Assert.Equal(0, twice.Score(0));
        Assert.Equal(0, twice.Count(CellType.Gem));
    }

    [Fact]
    public void Interact_opens_a_closed_door_the_player_walks_through_and_closes_it_behind()
    {
        // A doorway is two door cells, one in each room's wall ring.
        var start = QuietRooms(new GridPosition(5, 14));
        start[5, 15] = CellType.ClosedDoor;
        start[5, 16] = CellType.ClosedDoor;

        var (blocked, _) = Step(_world, start, PlayerAction.Right);
        var (firstOpen, _) = Step(_world, blocked, PlayerAction.Interact);
        var (inFirst, _) = Step(_world, firstOpen, PlayerAction.Right);
        var (secondOpen, _) = Step(_world, inFirst, PlayerAction.Interact);
        var (inSecond, _) = Step(_world, secondOpen, PlayerAction.Right);
        var (firstClosed, _) = Step(_world, inSecond, PlayerAction.Interact);
        var (through, _) = Step(_world, firstClosed, PlayerAction.Right);
        var (secondClosed, _) = Step(_world, through, PlayerAction.Interact);

        Assert.Equal(new GridPosition(5, 14), blocked.Player(0));
        Assert.Equal((CellType.OpenDoor, CellType.ClosedDoor), (firstOpen[5, 15], firstOpen[5, 16]));
        Assert.Equal(new GridPosition(5, 15), inFirst.Player(0));
        Assert.Equal((CellType.OpenDoor, CellType.OpenDoor), (secondOpen[5, 15], secondOpen[5, 16]));
        Assert.Equal(new GridPosition(5, 16), inSecond.Player(0));
        Assert.Equal((CellType.ClosedDoor, CellType.OpenDoor), (firstClosed[5, 15], firstClosed[5, 16]));
        Assert.Equal(new GridPosition(5, 17), through.Player(0));
        Assert.Equal((CellType.ClosedDoor, CellType.ClosedDoor), (secondClosed[5, 15], secondClosed[5, 16]));
    }

    [Fact]
    public void An_open_door_does_not_close_while_a_player_stands_in_it()
    {
        var start = QuietRooms(new GridPosition(5, 14));
        start[5, 15] = CellType.OpenDoor;
        start.PlacePlayer(1, new GridPosition(5, 15));

        var (next, _) = Step(_world, start, PlayerAction.Interact);

        Assert.Equal(CellType.OpenDoor, next[5, 15]);
    }

    [Fact]
    public void Interact_toggles_every_door_around_the_player_and_nothing_else()
    {
        var start = QuietRooms(new GridPosition(14, 5));
        start[15, 5] = CellType.ClosedDoor;
        start[14, 4] = CellType.OpenDoor;
        start[13, 5] = CellType.Crate;
        start[14, 6] = CellType.Gem;
        start[13, 4] = CellType.ClosedDoor;

        var (next, _) = Step(_world, start, PlayerAction.Interact);

        Assert.Equal(CellType.OpenDoor, next[15, 5]);
        Assert.Equal(CellType.ClosedDoor, next[14, 4]);
        Assert.Equal(CellType.Crate, next[13, 5]);
        Assert.Equal(CellType.Gem, next[14, 6]);
        Assert.Equal(CellType.ClosedDoor, next[13, 4]);
        Assert.Equal(new GridPosition(14, 5), next.Player(0));
    }

    [Fact]
    public void Two_slots_toggling_one_door_in_one_tick_apply_in_slot_order()
    {
        var start = QuietRooms(new GridPosition(5, 14));
        start[5, 15] = CellType.ClosedDoor;
        start.PlacePlayer(1, new GridPosition(4, 15));
        start[4, 15] = CellType.OpenDoor;

        // Slot 0 opens (5, 15); slot 1, standing in the open door above it, then closes it again.
        var (next, _) = Step(_world, start, PlayerAction.Interact, PlayerAction.Interact);

        Assert.Equal(CellType.ClosedDoor, next[5, 15]);
        Assert.Equal(CellType.OpenDoor, next[4, 15]);
    }

    [Fact]
    public void Inactive_slots_ignore_their_actions_and_block_nothing()
    {
        var start = QuietRooms(new GridPosition(5, 5));
        start.PlacePlayer(1, new GridPosition(5, 6));
        start.SetActive(1, false);
        start[5, 7] = CellType.Gem;

        var (next, _) = Step(_world, start, PlayerAction.Right, PlayerAction.Right, PlayerAction.Down, PlayerAction.Interact);

        Assert.Equal(new GridPosition(5, 6), next.Player(0));
        Assert.Equal(new GridPosition(5, 6), next.Player(1));
        Assert.False(next.IsActive(1));
        Assert.Equal(CellType.Gem, next[5, 7]);
        Assert.Equal(0, next.Score(1));
    }

    [Fact]
    public void Walking_through_a_doorway_takes_the_player_into_the_next_room()
    {
        var start = QuietRooms(new GridPosition(5, 14));
        start[5, 15] = CellType.OpenDoor;
        start[5, 16] = CellType.OpenDoor;
        Assert.Equal(0, start.CameraRoom);

        var state = start;
        for (var i = 0; i < 3; i++)
        {
            (state, _) = Step(_world, state, PlayerAction.Right);
        }

        Assert.Equal(new GridPosition(5, 17), state.Player(0));
        Assert.Equal(1, state.CameraRoom);
    }

    // Slots 0 and 1 from two cells of quiet rooms, one action each: where each player ends up.
    private void AssertTwoPlayersMove(
        ((int Row, int Col) P0, (int Row, int Col) P1) from,
        (PlayerAction P0, PlayerAction P1) actions,
        ((int Row, int Col) P0, (int Row, int Col) P1) to)
    {
        var start = QuietRooms(new GridPosition(from.P0.Row, from.P0.Col));
        start.PlacePlayer(1, new GridPosition(from.P1.Row, from.P1.Col));

        var (next, _) = Step(_world, start, actions.P0, actions.P1);

        Assert.Equal(new GridPosition(to.P0.Row, to.P0.Col), next.Player(0));
        Assert.Equal(new GridPosition(to.P1.Row, to.P1.Col), next.Player(1));
    }
}
