using WorldCluster.Models.Contract;
using Wire = WorldCluster.Contracts;

namespace WorldCluster.Runtime.Worlds;

/// <summary>A model's action space as the wire describes it (and <see cref="Wire.ActionWords"/> checks actions against).</summary>
public static class ActionSpaceWire
{
    /// <summary>The wire description of <paramref name="space"/>.</summary>
    public static Wire.ActionSpaceInfo ToWire(this ActionSpace space) => space.IsDiscrete
        ? new(space.Type, space.N, [.. space.Names])
        : new(space.Type, 0, [], [.. space.Components.Select(c => new Wire.ActionComponentInfo(
            c.Name, c.KindName, [.. c.Names], c.N, c.Kind == ActionKind.Box ? [.. c.Low] : null, c.Kind == ActionKind.Box ? [.. c.High] : null, c.MergeName))]);
}
