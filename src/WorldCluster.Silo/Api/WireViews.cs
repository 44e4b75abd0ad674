using WorldCluster.Abstractions;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Frames;
using WorldCluster.Runtime.Worlds;
using Wire = WorldCluster.Contracts;

namespace WorldCluster.Silo.Api;

/// <summary>
/// The one place where the cluster's own types (grain answers, manifests) become the wire contract's
/// (<c>WorldCluster.Contracts</c>, which the .NET client reads too), so that no shape is kept twice by hand.
/// </summary>
public static class WireViews
{
    /// <summary>A world as the API shows it.</summary>
    public static Wire.WorldInfo ToWire(this WorldInfo info) => new(
        info.Id, info.Model, info.ModelVersion, info.Tick, info.Players, info.StateDigest, info.TickHz, info.DurableTick,
        info.ForkedFrom?.ToWire(), info.Ticking, info.Silo);

    /// <summary>Where a fork starts.</summary>
    public static Wire.ForkOrigin ToWire(this ForkOrigin origin) => new(origin.WorldId, origin.Tick, origin.SnapshotHash);

    /// <summary>What a step produced.</summary>
    public static Wire.StepResult ToWire(this StepResult result) => new(result.Tick, result.StateDigest, result.DurableTick);

    /// <summary>Someone in a world.</summary>
    public static Wire.ParticipantInfo ToWire(this Participant participant) =>
        new(participant.Role.ToWire(), participant.Slot, participant.Name);

    /// <summary>A participant's role.</summary>
    public static Wire.SessionRole ToWire(this ParticipantRole role) =>
        role == ParticipantRole.Player ? Wire.SessionRole.Player : Wire.SessionRole.Spectator;

    /// <summary>A served model as <c>GET /api/models</c> describes it.</summary>
    public static Wire.ModelInfo ToWire(this ModelManifest m) => new(
        m.Name,
        m.Version,
        m.MaxPlayers,
        [m.Observation.Channels, m.Observation.Height, m.Observation.Width],
        m.ActionSpace.ToWire(),
        m.ContextLength,
        m.BatchInvariant);

    /// <summary>The outcome of an observation in a batch answer, with its frame encoded as asked.</summary>
    public static Wire.WorldOutcome ToOutcome(this WorldObservation o, string world, Wire.FrameEncoding frames) => new(
        world,
        o.Tick,
        o.StateDigest,
        o.DurableTick,
        [o.Frame.Channels, o.Frame.Height, o.Frame.Width],
        frames switch
        {
            Wire.FrameEncoding.Raw => o.Frame.Pixels,
            Wire.FrameEncoding.Png => PngEncoder.Encode(o.Frame.Pixels, o.Frame.Channels, o.Frame.Height, o.Frame.Width),
            _ => null,
        },
        o.Scores,
        o.Rewards);

    /// <summary>An update as the binary session message every subscriber of a silo shares (its frame encoded as PNG once).</summary>
    public static byte[] ToFrameMessage(this FrameUpdate update) => Wire.FrameMessage.Encode(new Wire.Frame(
        update.Tick, update.DurableTick, update.StateDigest, [.. update.Actions], update.Frame.Width, update.Frame.Height,
        PngEncoder.Encode(update.Frame.Pixels, update.Frame.Channels, update.Frame.Height, update.Frame.Width)));
}
