using WorldCluster.Models.Contract;
using WorldCluster.Models.Reference;
using static WorldCluster.Models.Tests.Reference.ReferenceTestKit;

namespace WorldCluster.Models.Tests.Reference;

/// <summary>Frames: the camera room, sprites, avatars on top of their cells.</summary>
public sealed class ReferenceWorldRenderingTests : IDisposable
{
    // The avatar sprite covers 12 of its 16 pixels; the 4 corners show the cell beneath.
    private const int AvatarPixels = 12;

    private readonly ReferenceWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public void Each_player_is_drawn_in_its_own_colour_on_its_cell()
    {
        var state = QuietRooms(new GridPosition(3, 4));
        state.PlacePlayer(1, new GridPosition(7, 2));
        state.PlacePlayer(2, new GridPosition(12, 13));
        state.PlacePlayer(3, new GridPosition(1, 1));

        var frame = Render(state);

        for (var slot = 0; slot < ReferenceGeometry.MaxPlayers; slot++)
        {
            var at = state.Player(slot);
            var colour = ReferenceSprites.PlayerColour(slot);
            var cell = CellPixels(frame, at.Row, at.Col);
            Assert.Equal(AvatarPixels, cell.Count(p => p == colour));
            Assert.Equal(16 - AvatarPixels, cell.Count(p => p == ReferenceSprites.Floor));
            Assert.Equal(AvatarPixels, CountColour(frame, colour));
        }
    }

    [Fact]
    public void The_player_colours_are_distinct()
    {
        var colours = Enumerable.Range(0, ReferenceGeometry.MaxPlayers).Select(ReferenceSprites.PlayerColour).ToHashSet();

        Assert.Equal(ReferenceGeometry.MaxPlayers, colours.Count);
        Assert.DoesNotContain(ReferenceSprites.Floor, colours);
    }

    [Fact]
    public void Every_cell_type_has_its_own_sprite()
    {
        var state = QuietRooms(new GridPosition(10, 10));
        var types = Enum.GetValues<CellType>();
        for (var i = 0; i < types.Length; i++)
        {
            state[2, 2 + i] = types[i];
        }

        var frame = Render(state);

        var sprites = types.Select((_, i) => string.Join(",", CellPixels(frame, 2, 2 + i))).ToHashSet();
        Assert.Equal(types.Length, sprites.Count);
        Assert.Equal(string.Join(",", CellPixels(frame, 0, 5)), string.Join(",", CellPixels(frame, 2, 2 + Array.IndexOf(types, CellType.Wall))));
    }

    [Fact]
    public void The_camera_shows_the_room_of_slot_0_and_only_the_players_in_it()
    {
        var inRoom3 = QuietRooms(new GridPosition(20, 20));
        inRoom3.PlacePlayer(1, new GridPosition(21, 22));
        inRoom3.PlacePlayer(2, new GridPosition(5, 5));
        inRoom3[25, 25] = CellType.Crate;
        inRoom3[9, 9] = CellType.Crate;

        var frame = Render(inRoom3);

        Assert.Equal(3, inRoom3.CameraRoom);
        Assert.Equal(AvatarPixels, CellPixels(frame, 20 - 16, 20 - 16).Count(p => p == ReferenceSprites.PlayerColour(0)));
        Assert.Equal(AvatarPixels, CellPixels(frame, 21 - 16, 22 - 16).Count(p => p == ReferenceSprites.PlayerColour(1)));
        Assert.Equal(0, CountColour(frame, ReferenceSprites.PlayerColour(2)));
        var withoutRoom3Crate = inRoom3.Clone();
        withoutRoom3Crate[25, 25] = CellType.Floor;
        Assert.NotEqual(CellPixels(frame, 9, 9), CellPixels(Render(withoutRoom3Crate), 9, 9));
        Assert.All(CellPixels(Render(withoutRoom3Crate), 9, 9), p => Assert.Equal(ReferenceSprites.Floor, p));
    }

    [Fact]
    public void Inactive_slots_are_not_drawn()
    {
        var state = QuietRooms(new GridPosition(5, 5));
        state.PlacePlayer(1, new GridPosition(6, 6));
        state.SetActive(1, false);

        var frame = Render(state);

        Assert.Equal(0, CountColour(frame, ReferenceSprites.PlayerColour(1)));
        Assert.Equal(AvatarPixels, CountColour(frame, ReferenceSprites.PlayerColour(0)));
    }

    [Fact]
    public void Different_actions_give_different_frames_with_the_avatar_moved_their_way()
    {
        var start = QuietRooms(new GridPosition(5, 5));
        var red = ReferenceSprites.PlayerColour(0);

        var frames = new Dictionary<PlayerAction, byte[]>();
        foreach (var action in new[] { PlayerAction.Noop, PlayerAction.Up, PlayerAction.Down, PlayerAction.Left, PlayerAction.Right })
        {
            frames[action] = Step(_world, start, action).Frame;
        }

        Assert.Equal(5, frames.Values.Select(Convert.ToBase64String).Distinct().Count());
        Assert.Equal(AvatarPixels, CellPixels(frames[PlayerAction.Noop], 5, 5).Count(p => p == red));
        Assert.Equal(AvatarPixels, CellPixels(frames[PlayerAction.Up], 4, 5).Count(p => p == red));
        Assert.Equal(AvatarPixels, CellPixels(frames[PlayerAction.Down], 6, 5).Count(p => p == red));
        Assert.Equal(AvatarPixels, CellPixels(frames[PlayerAction.Left], 5, 4).Count(p => p == red));
        Assert.Equal(AvatarPixels, CellPixels(frames[PlayerAction.Right], 5, 6).Count(p => p == red));
    }

    [Fact]
    public void In_a_generated_world_a_free_move_changes_the_frame_and_a_no_op_does_not_move_the_avatar()
    {
        var (states, firstFrames) = Init(_world, new WorldSeed(7, 1));
        var start = ReferenceWorldState.From(states[0]);
        var here = start.Player(0);
        (PlayerAction Action, GridPosition To)[] moves =
        [
            (PlayerAction.Up, here with { Row = here.Row - 1 }),
            (PlayerAction.Down, here with { Row = here.Row + 1 }),
            (PlayerAction.Left, here with { Col = here.Col - 1 }),
            (PlayerAction.Right, here with { Col = here.Col + 1 }),
        ];
        var (action, to) = moves.First(m => start[m.To] == CellType.Floor);

        var (moved, movedFrame) = Step(_world, start, action);
        var (_, stillFrame) = Step(_world, start, PlayerAction.Noop);

        Assert.Equal(to, moved.Player(0));
        Assert.NotEqual(stillFrame, movedFrame);
        var red = ReferenceSprites.PlayerColour(0);
        var room = ReferenceGeometry.RoomSize;
        Assert.Equal(AvatarPixels, CellPixels(movedFrame, to.Row % room, to.Col % room).Count(p => p == red));
        Assert.Equal(AvatarPixels, CellPixels(firstFrames[0], here.Row % room, here.Col % room).Count(p => p == red));
    }
}
