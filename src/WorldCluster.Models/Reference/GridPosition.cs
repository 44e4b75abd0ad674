namespace WorldCluster.Models.Reference;

/// <summary>A cell of the reference world's grid.</summary>
/// <param name="Row">Row, 0 at the top.</param>
/// <param name="Col">Column, 0 at the left.</param>
public readonly record struct GridPosition(int Row, int Col)
{
    /// <summary>The room holding this cell: <c>roomRow * RoomsPerSide + roomCol</c>.</summary>
    public int Room => ReferenceGeometry.RoomOf(Row, Col);

    /// <summary>True when the cell lies on the grid.</summary>
    public bool IsOnGrid => Row >= 0 && Row < ReferenceGeometry.GridSize && Col >= 0 && Col < ReferenceGeometry.GridSize;
}
