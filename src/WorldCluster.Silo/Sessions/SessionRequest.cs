using System.Globalization;
using WorldCluster.Abstractions;
using WorldCluster.Silo.Api;
using WorldCluster.Silo.Auth;

namespace WorldCluster.Silo.Sessions;

/// <summary>
/// What a session upgrade asks for, read from its query and token: the role, a wanted slot and name, or the participant a
/// join token stands for (then the query's slot does not apply, a name only to a participant taken back after a
/// restart, and a role given must agree).
/// </summary>
/// <param name="Role">Player or spectator.</param>
/// <param name="Slot">The slot asked for; null for the lowest free one.</param>
/// <param name="Name">The display name asked for.</param>
/// <param name="Participant">The participant a join token names; the socket takes it over instead of joining anew.</param>
/// <param name="ParticipantSlot">That participant's slot, as its token says.</param>
internal sealed record SessionRequest(ParticipantRole Role, int? Slot, string? Name, Guid? Participant, int? ParticipantSlot)
{
    /// <summary>Reads the request, or the problem that refuses it (nothing has touched the world yet).</summary>
    public static (SessionRequest? Request, IResult? Problem) Read(string id, HttpContext context)
    {
        var query = context.Request.Query;
        var user = context.User;
        if (user.ParticipantId() is { } participant)
        {
            var role = user.IsInRole(WorldClaims.Player) ? ParticipantRole.Player : ParticipantRole.Spectator;
            var asked = query["role"].ToString();
            if (asked.Length > 0 && asked != ParticipantEndpoints.RoleName(role))
            {
                return (null, asked == WorldClaims.Player
                    ? ParticipantEndpoints.CannotPlay(id)
                    : Problems.Create(StatusCodes.Status400BadRequest, "Invalid role",
                        $"this join token is for a {ParticipantEndpoints.RoleName(role)}; leave 'role' out or join again as a {asked}", id));
            }
            return (new SessionRequest(role, null, query["name"].FirstOrDefault(), participant, user.SlotOf()), null);
        }

        ParticipantRole wanted;
        switch (query["role"].ToString())
        {
            case "player":
                wanted = ParticipantRole.Player;
                break;
            case "spectator" or "":
                wanted = ParticipantRole.Spectator;
                break;
            default:
                return (null, Problems.Create(StatusCodes.Status400BadRequest, "Invalid role", "role must be 'player' or 'spectator'", id));
        }
        if (wanted == ParticipantRole.Player && !user.CanPlay(id))
        {
            return (null, ParticipantEndpoints.CannotPlay(id));
        }
        int? slot = null;
        if (query.TryGetValue("slot", out var slotText))
        {
            if (!int.TryParse(slotText, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
            {
                return (null, Problems.Create(StatusCodes.Status400BadRequest, "Invalid slot", "slot must be a non-negative integer", id));
            }
            slot = s;
        }
        return (new SessionRequest(wanted, slot, query["name"].FirstOrDefault(), null, null), null);
    }

    /// <summary>
    /// Joins the world as asked, or takes over the token's participant: still there, or (while a restarted world holds
    /// its slots) given its slot back.
    /// </summary>
    public Task<SessionTicket> JoinAsync(IWorldGrain world) => Participant is { } participant
        ? world.JoinAsync(new JoinRequest(Role, Name, ParticipantSlot, Participant: participant))
        : world.JoinAsync(new JoinRequest(Role, Name, Slot));
}
