using System.Globalization;
using System.Text;

namespace WorldCluster.Silo.Tests.Reliability;

/// <summary>
/// A seeded, reproducible generator of hostile HTTP requests against the world API: malformed JSON, wrong types, NaN and
/// infinities, huge and deep arrays, unknown and path-like ids, oversized bodies, wrong methods and content types. None of
/// them may succeed: each names only worlds it cannot change (unknown ids, or a real id with a body that must be refused).
/// </summary>
/// <param name="onDemandWorld">A real on-demand world with one player slot (steps with valid actions would change it: never generated).</param>
/// <param name="realtimeWorld">A real real-time world (no players: it does not tick).</param>
public sealed class HostileRequests(string onDemandWorld, string realtimeWorld)
{
    /// <summary>World ids that are not ids: separators, dot segments, escapes, controls, case, length, Unicode.</summary>
    public static readonly string[] HostileIds =
    [
        "..", "..%2F..", "%2e%2e", "%2E%2E%2Fetc%2Fpasswd", "a%2Fb", "a%5Cb", "..%5C..%5Cwindows", "%00", "w-%00x",
        "W-UPPER", "-leading", "w_underscore", "w.dot", "w%20space", "w%0Anewline", "%C3%BF%C3%BF", "%F0%9F%92%A5",
        new string('a', 65), new string('b', 4000), "w-1%3Bdrop", "%25", "%252e%252e", "w-%7B%7D", "w%3Cscript%3E",
    ];

    /// <summary>Bodies that are not JSON at all, or not one JSON value.</summary>
    public static readonly string[] BrokenJson =
    [
        "", "{", "}", "[", "{\"", "{\"model\"", "{\"model\":}", "{\"model\": \"reference-world\"", "nul", "tru", "{'model': 'x'}",
        "{\"model\": \"x\"} trailing", "{} {}", "\u0000\u0001\u0002", "{\"a\":1,}", "[1,2,]", "{\"actions\": [1,,2]}", "\"\\uZZZZ\"",
        "{\"model\": \"\\ud800\"}", "// comment\n{}", "/* c */ {}", "\uFEFF\uFEFF{}", "{\"model\": NaN}", "{\"seed\": Infinity}",
        "{\"seed\": -Infinity}", "{\"actions\": [NaN]}", "{\"atTick\": Infinity}", "0x10", "01", "1e", "-", ".5",
    ];

    /// <summary>All the requests for this seed, in a fixed order.</summary>
    public IReadOnlyList<HostileRequest> Generate(int seed, int count)
    {
        var random = new Random(seed);
        var makers = new Func<Random, HostileRequest>[]
        {
            BadCreate, BadStep, BadFork, HostileIdRequest, UnknownIdRequest, WrongMethodOrType, Oversized, HugeOrDeep,
        };
        var requests = new List<HostileRequest>(count);
        for (var i = 0; i < count; i++)
        {
            requests.Add(makers[i % makers.Length](random));
        }
        return requests;
    }

    private static HostileRequest BadCreate(Random random)
    {
        var bodies = new[]
        {
            Pick(random, BrokenJson),
            "null", "[]", "\"reference-world\"", "42", "{}", "{\"model\": null}", "{\"model\": 5}", "{\"model\": [\"reference-world\"]}",
            "{\"model\": {\"name\": \"reference-world\"}}", "{\"model\": \"\"}", "{\"model\": \"   \"}",
            "{\"model\": \"../../etc/passwd\"}", "{\"model\": \"reference-world/../x\"}", $"{{\"model\": \"{new string('m', 5000)}\"}}",
            "{\"model\": \"reference-world\", \"players\": 0}", "{\"model\": \"reference-world\", \"players\": -1}",
            $"{{\"model\": \"reference-world\", \"players\": {random.Next(9, int.MaxValue)}}}",
            "{\"model\": \"reference-world\", \"players\": 1.5}", "{\"model\": \"reference-world\", \"players\": \"1\"}",
            "{\"model\": \"reference-world\", \"players\": true}", "{\"model\": \"reference-world\", \"players\": 1e400}",
            "{\"model\": \"reference-world\", \"seed\": 1.5, \"players\": 1}", "{\"model\": \"reference-world\", \"seed\": 99999999999999999999}",
            "{\"model\": \"reference-world\", \"seed\": \"NaN\"}", "{\"model\": \"reference-world\", \"tickHz\": -1}",
            $"{{\"model\": \"reference-world\", \"tickHz\": {random.Next(61, int.MaxValue)}}}", "{\"model\": \"reference-world\", \"tickHz\": 1e308}",
            "{\"model\": \"reference-world\", \"players\": 1, \"extra\": 1}", "{\"model\": \"reference-world\", \"players\": 1, \"__proto__\": {}}",
            $"{{\"model\": \"unknown-{random.Next()}\", \"players\": 1}}", "{\"Model\": \"reference-world\", \"players\": 0}",
        };
        return HostileRequest.Json("bad create body", HttpMethod.Post, "/api/worlds", Pick(random, bodies));
    }

    private HostileRequest BadStep(Random random)
    {
        var bodies = new[]
        {
            Pick(random, BrokenJson), "null", "[]", "{}", "{\"actions\": null}", "{\"actions\": []}", "{\"actions\": [1, 2]}",
            "{\"actions\": [-1]}", $"{{\"actions\": [{random.Next(6, int.MaxValue)}]}}", "{\"actions\": [2147483648]}",
            "{\"actions\": [-2147483649]}", "{\"actions\": [1.5]}", "{\"actions\": [\"1\"]}", "{\"actions\": [\"x\"]}", "{\"actions\": [null]}",
            "{\"actions\": [true]}", "{\"actions\": [[1]]}", "{\"actions\": {\"0\": 1}}", "{\"actions\": 1}", "{\"actions\": \"1\"}",
            "{\"actions\": [1e400]}", "{\"actions\": [1], \"tick\": 5}", "{\"Actions\": [1], \"actions\": [1, 1]}",
            "{\"actions\": [1e2]}", "{\"actions\": [0.0]}", "{\"actions\": [1, -1]}",
        };
        var body = Pick(random, bodies);
        // Even valid actions would change nothing on the real-time world (it refuses steps).
        return random.Next(4) == 0
            ? HostileRequest.Json("step on a real-time world", HttpMethod.Post, $"/api/worlds/{realtimeWorld}/step", "{\"actions\": [1]}")
            : HostileRequest.Json("bad step body", HttpMethod.Post, $"/api/worlds/{onDemandWorld}/step", body);
    }

    private HostileRequest BadFork(Random random)
    {
        var bodies = new[]
        {
            Pick(random, BrokenJson), "null", "[]", "{\"atTick\": -1}", $"{{\"atTick\": {random.Next(1000, int.MaxValue)}}}",
            "{\"atTick\": 1e20}", "{\"atTick\": 9223372036854775808}", "{\"atTick\": \"0\"}", "{\"atTick\": 0.5}",
            "{\"atTick\": [0]}", "{\"atTick\": 0, \"newWorldId\": \"../x\"}", "{\"id\": \"w-evil\"}",
        };
        var world = random.Next(2) == 0 ? onDemandWorld : realtimeWorld;
        return HostileRequest.Json("bad fork body", HttpMethod.Post, $"/api/worlds/{world}/fork", Pick(random, bodies));
    }

    private static HostileRequest HostileIdRequest(Random random)
    {
        var id = Pick(random, HostileIds);
        return random.Next(7) switch
        {
            0 => new HostileRequest("hostile id get", HttpMethod.Get, $"/api/worlds/{id}"),
            1 => new HostileRequest("hostile id frame", HttpMethod.Get, $"/api/worlds/{id}/frame"),
            2 => new HostileRequest("hostile id participants", HttpMethod.Get, $"/api/worlds/{id}/participants"),
            3 => new HostileRequest("hostile id delete", HttpMethod.Delete, $"/api/worlds/{id}"),
            4 => HostileRequest.Json("hostile id step", HttpMethod.Post, $"/api/worlds/{id}/step", "{\"actions\": [1]}"),
            5 => new HostileRequest("hostile id fork", HttpMethod.Post, $"/api/worlds/{id}/fork"),
            _ => new HostileRequest("hostile id session without upgrade", HttpMethod.Get, $"/api/worlds/{id}/session?role=player"),
        };
    }

    private static HostileRequest UnknownIdRequest(Random random)
    {
        var id = $"w-{random.NextInt64():x16}";
        return random.Next(5) switch
        {
            0 => new HostileRequest("unknown world get", HttpMethod.Get, $"/api/worlds/{id}"),
            1 => new HostileRequest("unknown world delete", HttpMethod.Delete, $"/api/worlds/{id}"),
            2 => HostileRequest.Json("unknown world step", HttpMethod.Post, $"/api/worlds/{id}/step", "{\"actions\": [1]}"),
            3 => new HostileRequest("unknown world fork", HttpMethod.Post, $"/api/worlds/{id}/fork"),
            _ => new HostileRequest("unknown world frame", HttpMethod.Get, $"/api/worlds/{id}/frame"),
        };
    }

    private HostileRequest WrongMethodOrType(Random random)
    {
        var world = random.Next(2) == 0 ? onDemandWorld : realtimeWorld;
        return random.Next(10) switch
        {
            0 => HostileRequest.Json("PUT a world", HttpMethod.Put, $"/api/worlds/{world}", "{\"tick\": 0}"),
            1 => HostileRequest.Json("PATCH a world", HttpMethod.Patch, $"/api/worlds/{world}", "{\"tick\": 0}"),
            2 => new HostileRequest("DELETE the collection", HttpMethod.Delete, "/api/worlds"),
            3 => new HostileRequest("GET a step", HttpMethod.Get, $"/api/worlds/{world}/step"),
            4 => HostileRequest.Json("step as text/plain", HttpMethod.Post, $"/api/worlds/{onDemandWorld}/step", "{\"actions\": [1]}", "text/plain"),
            5 => HostileRequest.Json("step without content type", HttpMethod.Post, $"/api/worlds/{onDemandWorld}/step", "{\"actions\": [1]}", null),
            6 => HostileRequest.Json("create as form", HttpMethod.Post, "/api/worlds", "model=reference-world&players=1", "application/x-www-form-urlencoded"),
            7 => new HostileRequest("step without body", HttpMethod.Post, $"/api/worlds/{onDemandWorld}/step"),
            8 => new HostileRequest("unknown route", HttpMethod.Get, $"/api/{Pick(random, ["admin", "..%2F..%2Fetc", "worlds/w-x/../../x", "models/x/y"])}"),
            _ => HostileRequest.Json("step as multipart", HttpMethod.Post, $"/api/worlds/{onDemandWorld}/step", "--b\r\n\r\n{\"actions\":[1]}\r\n--b--", "multipart/form-data; boundary=b"),
        };
    }

    private HostileRequest Oversized(Random random)
    {
        // Just over the API's body limit, or far over it; valid-looking JSON so only the size is wrong.
        var size = random.Next(2) == 0 ? (64 * 1024) + 1 + random.Next(100) : 1024 * 1024 * (1 + random.Next(4));
        var padding = new string(' ', size);
        var target = random.Next(2) == 0 ? "/api/worlds" : $"/api/worlds/{onDemandWorld}/step";
        return HostileRequest.Json($"oversized body ({size} bytes)", HttpMethod.Post, target, "{\"model\": \"reference-world\", \"players\": 0}" + padding);
    }

    private HostileRequest HugeOrDeep(Random random)
    {
        var builder = new StringBuilder();
        string name;
        switch (random.Next(3))
        {
            case 0:
                name = "huge action array";
                builder.Append("{\"actions\": [");
                var n = random.Next(2_000, 12_000);
                for (var i = 0; i < n; i++)
                {
                    builder.Append(i == 0 ? "" : ",").Append((i % 6).ToString(CultureInfo.InvariantCulture));
                }
                builder.Append("]}");
                break;
            case 1:
                name = "deeply nested arrays";
                var depth = random.Next(17, 2_000);
                builder.Append("{\"actions\": ").Append('[', depth).Append('1').Append(']', depth).Append('}');
                break;
            default:
                name = "deeply nested objects";
                var levels = random.Next(17, 2_000);
                for (var i = 0; i < levels; i++)
                {
                    builder.Append("{\"a\":");
                }
                builder.Append('1').Append('}', levels);
                break;
        }
        return HostileRequest.Json(name, HttpMethod.Post, $"/api/worlds/{onDemandWorld}/step", builder.ToString());
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}
