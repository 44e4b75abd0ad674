using System.Text;

namespace WorldCluster.Silo.Tests.Reliability;

/// <summary>
/// A seeded generator of hostile session sockets: refused upgrades (bad ids, roles, slots) and accepted sessions that send
/// malformed, mistyped, oversized, binary, fragmented or very slow messages. A player only ever joins the on-demand world
/// (a player would start the real-time world's clock); the real-time world gets spectators.
/// </summary>
public sealed class HostileSessions(string onDemandWorld, string realtimeWorld)
{
    private static readonly string[] BadActions =
    [
        "{\"action\": \"x\"}", "{\"action\": 1.5}", "{\"action\": null}", "{\"action\": [1]}", "{\"action\": {}}", "{\"action\": true}",
        "{\"action\": 1e400}", "{\"action\": -1}", "{\"action\": 99}", "{\"action\": 2147483648}", "{\"action\": NaN}",
        "{\"action\": Infinity}", "{\"action\": -Infinity}", "{}", "[]", "null", "42", "\"action\"", "{\"act\": 1}",
    ];

    /// <summary>The cases for this seed, in a fixed order.</summary>
    public IReadOnlyList<HostileSocketCase> Generate(int seed, int count)
    {
        var random = new Random(seed);
        var cases = new List<HostileSocketCase>(count);
        for (var i = 0; i < count; i++)
        {
            cases.Add((i % 4) switch
            {
                0 => BadUpgrade(random),
                1 => BadMessage(random),
                2 => BadFraming(random),
                _ => Slow(random),
            });
        }
        return cases;
    }

    private HostileSocketCase BadUpgrade(Random random)
    {
        var id = random.Next(3) switch
        {
            0 => HostileRequests.HostileIds[random.Next(HostileRequests.HostileIds.Length)],
            1 => $"w-{random.NextInt64():x16}",
            _ => realtimeWorld,
        };
        // The real-time world refuses these before any join; the others refuse the id.
        var query = Pick(random, ["role=admin", "role=PLAYER", "role=player%00", "role=spectator&slot=abc", "role=spectator&slot=-1",
            "role=spectator&slot=99999999999", "role=spectator&slot=1.5", $"role={new string('r', 3000)}"]);
        if (id != realtimeWorld && random.Next(2) == 0)
        {
            query = "role=spectator";
        }
        return new HostileSocketCase("refused upgrade", id, query, []);
    }

    private HostileSocketCase BadMessage(Random random)
    {
        var text = random.Next(3) == 0 ? Pick(random, HostileRequests.BrokenJson) : Pick(random, BadActions);
        if (text.Length == 0)
        {
            text = " ";
        }
        return random.Next(2) == 0
            ? new HostileSocketCase("bad action from a player", onDemandWorld, "role=player", [Encoding.UTF8.GetBytes(text)])
            : new HostileSocketCase("action from a spectator", realtimeWorld, "role=spectator", [Encoding.UTF8.GetBytes(random.Next(2) == 0 ? text : "{\"action\": 1}")]);
    }

    private HostileSocketCase BadFraming(Random random)
    {
        var (world, query) = random.Next(2) == 0 ? (onDemandWorld, "role=player") : (realtimeWorld, "role=spectator");
        return random.Next(4) switch
        {
            0 => new HostileSocketCase("oversized message", world, query, [Encoding.UTF8.GetBytes($"{{\"action\": 1, \"pad\": \"{new string('x', 4096 + random.Next(100_000))}\"}}")]),
            1 => new HostileSocketCase("oversized in many fragments", world, query, [.. Enumerable.Range(0, 20).Select(_ => Encoding.UTF8.GetBytes(new string('[', 512)))]),
            2 => new HostileSocketCase("binary message", world, query, [RandomBytes(random, random.Next(1, 5000))], Binary: true),
            _ => new HostileSocketCase("fragmented bad JSON", world, query, [.. Encoding.UTF8.GetBytes(Pick(random, BadActions)).Chunk(3)]),
        };
    }

    private HostileSocketCase Slow(Random random)
    {
        var message = Encoding.UTF8.GetBytes(Pick(random, BadActions));
        return new HostileSocketCase("very slow sender", onDemandWorld, "role=player", [.. message.Chunk(2)], FragmentGap: TimeSpan.FromMilliseconds(50 + random.Next(150)));
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}
