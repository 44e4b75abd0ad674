namespace WorldCluster.Models.Reference;

/// <summary>The reference world's discrete actions, numbered as in its action space.</summary>
public enum PlayerAction : long
{
    /// <summary>Do nothing.</summary>
    Noop = 0,
    /// <summary>Move one cell up (row - 1).</summary>
    Up = 1,
    /// <summary>Move one cell down (row + 1).</summary>
    Down = 2,
    /// <summary>Move one cell left (column - 1).</summary>
    Left = 3,
    /// <summary>Move one cell right (column + 1).</summary>
    Right = 4,
    /// <summary>Toggle the doors in the four neighbouring cells (closed ↔ open).</summary>
    Interact = 5,
}
