using System.Text.Json;
using WorldCluster.Abstractions;
using Wire = WorldCluster.Contracts;

namespace WorldCluster.Silo.Api;

/// <summary>Turns the actions of a step body into the request a world reads against its own action space.</summary>
internal static class StepActions
{
    /// <summary>The integers when every action is one (a discrete space's fast path), and always the array as sent.</summary>
    public static StepRequest ToRequest(Wire.PlayerAction[] actions)
    {
        var integers = new int[actions.Length];
        var all = true;
        for (var i = 0; i < actions.Length && all; i++)
        {
            all = actions[i] is { } a && a.IsInteger(out integers[i]);
        }
        return new StepRequest(all ? integers : [], JsonSerializer.Serialize(actions, ApiJson.Options));
    }
}
