using WorldCluster.Models.Reference;

namespace WorldCluster.Models.Tests.Reference;

/// <summary>
/// The rules of docs/reference-world.md written the plain way, one world and one cell at a time, to check the batched
/// tensor implementation against.
/// </summary>
internal static class ScalarReferenceRules
{
    public static ReferenceWorldState Step(ReferenceWorldState state, long[] actions)
    {
        var s = state.Clone();
        for (var slot = 0; slot < ReferenceGeometry.MaxPlayers; slot++)
        {
            if (!s.IsActive(slot))
            {
                continue;
            }
            var action = actions[slot] is >= 0 and <= 5 ? (PlayerAction)actions[slot] : PlayerAction.Noop;
            var here = s.Player(slot);
            if (action is PlayerAction.Up or PlayerAction.Down or PlayerAction.Left or PlayerAction.Right)
            {
                var (dr, dc) = action switch
                {
                    PlayerAction.Up => (-1, 0),
                    PlayerAction.Down => (1, 0),
                    PlayerAction.Left => (0, -1),
                    _ => (0, 1),
                };
                var target = new GridPosition(here.Row + dr, here.Col + dc);
                var beyond = new GridPosition(target.Row + dr, target.Col + dc);
                if (s.PlayerAt(target) >= 0)
                {
                    continue;
                }
                var cell = s[target];
                if (cell is CellType.Floor or CellType.OpenDoor or CellType.Gem)
                {
                    if (cell == CellType.Gem)
                    {
                        s[target] = CellType.Floor;
                        s.SetScore(slot, s.Score(slot) + 1);
                    }
                    s.PlacePlayer(slot, target);
                }
                else if (cell == CellType.Crate && beyond.IsOnGrid && s[beyond] == CellType.Floor && s.PlayerAt(beyond) < 0)
                {
                    s[beyond] = CellType.Crate;
                    s[target] = CellType.Floor;
                    s.PlacePlayer(slot, target);
                }
            }
            else if (action == PlayerAction.Interact)
            {
                foreach (var n in new[] { here with { Row = here.Row - 1 }, here with { Row = here.Row + 1 }, here with { Col = here.Col - 1 }, here with { Col = here.Col + 1 } })
                {
                    if (s[n] == CellType.ClosedDoor)
                    {
                        s[n] = CellType.OpenDoor;
                    }
                    else if (s[n] == CellType.OpenDoor && s.PlayerAt(n) < 0)
                    {
                        s[n] = CellType.ClosedDoor;
                    }
                }
            }
        }

        var first = ReferenceTestKit.Lcg(s.Rng);
        var second = ReferenceTestKit.Lcg(first);
        s.Rng = second;
        if (first >> 25 == 0)
        {
            var spot = new GridPosition((int)(second >> 21) / 32, (int)(second >> 21) % 32);
            if (s[spot] == CellType.Floor && s.PlayerAt(spot) < 0 && s.Count(CellType.Gem) < ReferenceGeometry.GemCap)
            {
                s[spot] = CellType.Gem;
            }
        }
        return s;
    }
}
