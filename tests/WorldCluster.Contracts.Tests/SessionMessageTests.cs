using System.Text.Json;

namespace WorldCluster.Contracts.Tests;

public sealed class SessionMessageTests
{
    [Fact]
    public void A_welcome_names_its_type_first_and_leaves_a_spectators_slot_out()
    {
        var json = JsonSerializer.Serialize(new SessionWelcome("w-1", "spectator", Slot: null, Players: 4, TickHz: 20), WireJson.Options);

        Assert.Equal("""{"type":"welcome","worldId":"w-1","role":"spectator","players":4,"tickHz":20}""", json);
    }

    [Fact]
    public void An_error_names_its_type_first()
    {
        Assert.Equal("""{"type":"error","message":"spectators cannot act"}""",
            JsonSerializer.Serialize(new SessionError("spectators cannot act"), WireJson.Options));
    }
}
