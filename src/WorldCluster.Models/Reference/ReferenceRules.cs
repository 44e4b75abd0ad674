using TorchSharp;
using WorldCluster.Models.Torch;
using static TorchSharp.torch;

namespace WorldCluster.Models.Reference;

/// <summary>
/// One tick of the reference world's rules for a batch of worlds, in integer tensor ops. Every op works row by row
/// (elementwise, gather/scatter within a row, reductions within a row), so a world's result never depends on the other
/// rows of its batch.
/// </summary>
internal static class ReferenceRules
{
    private const int N = ReferenceGeometry.GridSize;

    /// <summary>The in-state RNG: <c>x' = (x * 1103515245 + 12345) mod 2^31</c>; with <c>x &lt; 2^31</c> the product stays below 2^62.</summary>
    internal const long LcgMultiplier = 1103515245;

    /// <summary>The LCG's increment.</summary>
    internal const long LcgIncrement = 12345;

    /// <summary>The LCG's modulus, 2^31.</summary>
    internal const long LcgModulus = 1L << 31;

    /// <summary>A gem spawn is tried when the first draw's top 6 bits (of 31) are zero: 1 tick in 64.</summary>
    internal const long SpawnChanceDivisor = 1L << 25;

    /// <summary>The second draw's top 10 bits pick the cell (<c>row * 32 + col</c>) the gem may appear on.</summary>
    internal const long SpawnCellDivisor = 1L << 21;

    // (row, col) step per action number: noop, up, down, left, right, interact.
    private static readonly long[] Moves = [0, 0, -1, 0, 1, 0, 0, -1, 0, 1, 0, 0];

    // The four neighbours an interaction reaches: up, down, left, right.
    private static readonly long[] Neighbours = [-1, 0, 1, 0, 0, -1, 0, 1];

    // Kept Scalars only: a Scalar made for one call can be freed mid-call (see Scalars).
    private static readonly Scalar Zero = 0L.ToScalar();
    private static readonly Scalar False = false.ToScalar();
    private static readonly Scalar Last = ((long)N - 1).ToScalar();
    private static readonly Scalar FirstMove = ((long)PlayerAction.Up).ToScalar();
    private static readonly Scalar LastMove = ((long)PlayerAction.Right).ToScalar();
    private static readonly Scalar InteractAction = ((long)PlayerAction.Interact).ToScalar();
    private static readonly Scalar ActionCount = ((long)PlayerAction.Interact + 1).ToScalar();
    private static readonly Scalar FloorCell = ((byte)CellType.Floor).ToScalar();
    private static readonly Scalar ClosedDoorCell = ((byte)CellType.ClosedDoor).ToScalar();
    private static readonly Scalar OpenDoorCell = ((byte)CellType.OpenDoor).ToScalar();
    private static readonly Scalar CrateCell = ((byte)CellType.Crate).ToScalar();
    private static readonly Scalar GemCell = ((byte)CellType.Gem).ToScalar();
    private static readonly Scalar GemCap = ((long)ReferenceGeometry.GemCap).ToScalar();
    private static readonly Scalar Multiplier = LcgMultiplier.ToScalar();
    private static readonly Scalar Increment = LcgIncrement.ToScalar();
    private static readonly Scalar Modulus = LcgModulus.ToScalar();
    private static readonly Scalar ChanceDivisor = SpawnChanceDivisor.ToScalar();
    private static readonly Scalar CellDivisor = SpawnCellDivisor.ToScalar();

    /// <summary>
    /// Advances every world one tick. Inputs are left untouched; the caller's dispose scope owns all results.
    /// Actions outside the action space, and actions of inactive slots, count as no-ops.
    /// </summary>
    public static (Tensor Cells, Tensor Players, Tensor Scores, Tensor Rng) Tick(
        Tensor cells, Tensor players, Tensor active, Tensor scores, Tensor rng, Tensor actions)
    {
        var device = cells.device;
        var batch = cells.shape[0];
        var grid = cells.reshape(batch, N * N).clone();
        var position = players.clone();
        var score = scores.clone();
        var isActive = active.ne(Zero);
        var usable = actions.ge(Zero).logical_and(actions.lt(ActionCount)).logical_and(isActive);
        var action = actions.masked_fill(usable.logical_not(), Zero);
        var moves = tensor(Moves, [6, 2], device: device);
        var neighbours = tensor(Neighbours, [1, 4, 2], device: device);

        // Slots resolve one after another, each seeing the cells and positions the earlier slots left.
        for (var slot = 0; slot < ReferenceGeometry.MaxPlayers; slot++)
        {
            var a = action.select(1, slot);
            var here = position.select(1, slot).clone();
            var others = isActive.clone();
            others.select(1, slot).fill_(False);

            var step = moves.index_select(0, a);
            var target = here.Plus(step).clamp(Zero, Last);
            var beyond = target.Plus(step).clamp(Zero, Last);
            var targetIndex = FlatIndex(target).unsqueeze(1);
            var beyondIndex = FlatIndex(beyond).unsqueeze(1);
            var targetCell = grid.gather(1, targetIndex).squeeze(1);
            var beyondCell = grid.gather(1, beyondIndex).squeeze(1);
            var targetTaken = Occupied(position, others, targetIndex).squeeze(1);
            var beyondTaken = Occupied(position, isActive, beyondIndex).squeeze(1);

            var isMove = a.ge(FirstMove).logical_and(a.le(LastMove));
            var walkable = targetCell.eq(FloorCell).logical_or(targetCell.eq(OpenDoorCell)).logical_or(targetCell.eq(GemCell));
            var push = isMove.logical_and(targetCell.eq(CrateCell)).logical_and(beyondCell.eq(FloorCell)).logical_and(beyondTaken.logical_not());
            var moved = isMove.logical_and(targetTaken.logical_not()).logical_and(walkable.logical_or(push));
            var collected = moved.logical_and(targetCell.eq(GemCell));

            // Rows that do nothing write back the value they read, so one scatter serves the whole batch.
            grid.scatter_(1, beyondIndex, beyondCell.masked_fill(push, CrateCell).unsqueeze(1));
            grid.scatter_(1, targetIndex, targetCell.masked_fill(push.logical_or(collected), FloorCell).unsqueeze(1));
            position.select(1, slot).copy_(where(moved.unsqueeze(1), target, here));
            score.select(1, slot).PlusInPlace(collected.to(ScalarType.Int32));

            var interacts = a.eq(InteractAction).unsqueeze(1);
            var around = here.unsqueeze(1).Plus(neighbours).clamp(Zero, Last);
            var aroundIndex = FlatIndex(around);
            var aroundCell = grid.gather(1, aroundIndex);
            var aroundTaken = Occupied(position, isActive, aroundIndex);
            var open = interacts.logical_and(aroundCell.eq(ClosedDoorCell));
            var close = interacts.logical_and(aroundCell.eq(OpenDoorCell)).logical_and(aroundTaken.logical_not());
            grid.scatter_(1, aroundIndex, aroundCell.masked_fill(open, OpenDoorCell).masked_fill(close, ClosedDoorCell));
        }

        // Gem respawn: two LCG draws per tick; the first decides whether to try, the second picks the cell. A gem only
        // appears on free floor, and only while the world holds fewer than GemCap gems.
        var first = Lcg(rng);
        var second = Lcg(first);
        var tries = first.floor_divide(ChanceDivisor).eq(Zero);
        var spot = second.floor_divide(CellDivisor);
        var spotCell = grid.gather(1, spot);
        var spotTaken = Occupied(position, isActive, spot);
        var gems = grid.eq(GemCell).sum(1, keepdim: true);
        var spawn = tries.logical_and(spotCell.eq(FloorCell)).logical_and(spotTaken.logical_not()).logical_and(gems.lt(GemCap));
        grid.scatter_(1, spot, spotCell.masked_fill(spawn, GemCell));

        return (grid.reshape(batch, N, N), position, score, second);
    }

    /// <summary>The LCG step on int64 values in <c>[0, 2^31)</c>: exact, never overflows.</summary>
    public static Tensor Lcg(Tensor x) => x.mul(Multiplier).add_(Increment, Scalars.One).remainder_(Modulus);

    private static Tensor FlatIndex(Tensor rowCol) => rowCol.select(-1, 0).Times(N).Plus(rowCol.select(-1, 1));

    /// <summary>For cells <c>[B, K]</c> (flat indices): whether a player selected by <paramref name="mask"/> <c>[B, 4]</c> stands there.</summary>
    private static Tensor Occupied(Tensor positions, Tensor mask, Tensor cells)
    {
        var standing = FlatIndex(positions).unsqueeze(1);
        return standing.eq(cells.unsqueeze(2)).logical_and(mask.unsqueeze(1)).any(2);
    }
}
