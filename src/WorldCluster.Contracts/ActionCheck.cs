namespace WorldCluster.Contracts;

/// <summary>
/// The one rule for a tick's actions in a discrete action space: one action per player slot, each in <c>0..n-1</c>.
/// The gateway checks a batch with it before stepping anything; the world checks every step and session action with it.
/// </summary>
public static class ActionCheck
{
    /// <summary>Why <paramref name="actions"/> cannot be one tick's actions for <paramref name="players"/> slots; null when they can.</summary>
    /// <param name="actions">One action per player slot.</param>
    /// <param name="players">The world's player slots.</param>
    /// <param name="actionCount">Actions in the model's discrete space; null when the caller does not know the model (the count is still checked).</param>
    public static string? Problem(IReadOnlyList<int>? actions, int players, int? actionCount)
    {
        if (actions is null || actions.Count != players)
        {
            return $"expected {players} actions (one per player slot), got {actions?.Count ?? 0}";
        }
        if (actionCount is { } n)
        {
            for (var slot = 0; slot < actions.Count; slot++)
            {
                if (Problem(actions[slot], n) is not null)
                {
                    return $"action {actions[slot]} of slot {slot} is outside the action space ({Space(n)})";
                }
            }
        }
        return null;
    }

    /// <summary>Why <paramref name="action"/> is not an action of a discrete space of <paramref name="actionCount"/>; null when it is.</summary>
    public static string? Problem(int action, int actionCount) =>
        action >= 0 && action < actionCount ? null : $"action {action} is outside the action space ({Space(actionCount)})";

    private static string Space(int n) => $"discrete, 0..{n - 1}";
}
