using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;
using Xunit.Abstractions;

namespace WorldCluster.Silo.Tests.Reliability;

/// <summary>
/// Well over a thousand generated hostile requests (seeded, so a failure reproduces) over HTTP and WebSocket, plus very
/// slow senders on raw sockets: no 5xx, no crash, no change to any world; every HTTP answer a 4xx with a problem body,
/// every session either refused with a 4xx or answered with an error message or a clean close.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class HostileInputTests(SiloHostFixture silo, ITestOutputHelper output) : IClassFixture<SiloHostFixture>
{
    private const int Seed = 8;
    private const int HttpCases = 1200;
    private const int SocketCases = 160;
    private const int SlowSenders = 8;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Hostile_requests_get_clear_4xx_answers_and_change_no_world()
    {
        var (onDemand, realtime) = await CreateWorlds();
        var before = await Observe(onDemand, realtime);

        var failures = new List<string>();
        var requests = new HostileRequests(onDemand, realtime).Generate(Seed, HttpCases);
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (request, _) =>
        {
            var failure = await Send(request);
            if (failure is not null)
            {
                lock (failures)
                {
                    failures.Add(failure);
                }
            }
        });
        var sessions = new HostileSessions(onDemand, realtime).Generate(Seed, SocketCases);
        // One session at a time: the worlds have one player slot, and a session's leave must land before the next player joins.
        await Parallel.ForEachAsync(sessions, new ParallelOptions { MaxDegreeOfParallelism = 1 }, async (session, _) =>
        {
            var failure = await Run(session);
            if (failure is not null)
            {
                lock (failures)
                {
                    failures.Add(failure);
                }
            }
        });
        failures.AddRange(await SlowBodies(onDemand));

        output.WriteLine($"{requests.Count} HTTP requests, {sessions.Count} sessions, {SlowSenders} slow senders; {failures.Count} failures");
        Assert.True(failures.Count == 0, $"{failures.Count} hostile inputs were not refused cleanly:\n{string.Join("\n", failures.Take(30))}");
        Assert.True((await silo.Http.GetAsync("/health/ready")).IsSuccessStatusCode, "the silo is no longer ready");
        Assert.Equal(before, await Observe(onDemand, realtime));
    }

    private async Task<(string OnDemand, string Realtime)> CreateWorlds()
    {
        var onDemand = await Create(new { model = "reference-world", seed = 81, players = 1 });
        for (var t = 0; t < 3; t++)
        {
            (await silo.Http.PostAsJsonAsync($"/api/worlds/{onDemand}/step", new { actions = new[] { 1 + t } })).EnsureSuccessStatusCode();
        }
        var realtime = await Create(new { model = "reference-world", seed = 82, players = 1, tickHz = 10 });
        return (onDemand, realtime);
    }

    private async Task<string> Create(object body)
    {
        var response = await silo.Http.PostAsJsonAsync("/api/worlds", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    // What must not change: the list of worlds, and each world's tick and digest.
    private async Task<string> Observe(params string[] ids)
    {
        var text = new StringBuilder(await silo.Http.GetStringAsync("/api/worlds"));
        foreach (var id in ids)
        {
            var world = await silo.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{id}");
            text.Append(CultureInfo.InvariantCulture, $" {id}@{world.GetProperty("tick").GetInt64()}:{world.GetProperty("stateDigest").GetString()}");
        }
        return text.ToString();
    }

    private async Task<string?> Send(HostileRequest request)
    {
        // A body over the limit is refused before it is read; the server then drops the connection rather than read megabytes.
        // Such a request goes on a connection of its own and waits for "100 Continue" (which never comes), as careful clients do,
        // so the refusal can be read and no other request shares the dropped connection.
        var oversized = request.Body is { Length: > 64 * 1024 };
        using var own = oversized ? new HttpClient { Timeout = silo.Http.Timeout } : null;
        try
        {
            using var message = request.ToMessage(silo.Http.BaseAddress!);
            message.Headers.ExpectContinue = oversized;
            using var response = await (own ?? silo.Http).SendAsync(message);
            var status = (int)response.StatusCode;
            if (status is < 400 or >= 500)
            {
                return $"{request} → {status}";
            }
            if (status == 400 && response.Content.Headers.ContentLength == 0 && request.Path.Contains("%00", StringComparison.Ordinal))
            {
                // Kestrel refuses a NUL in the path itself, before any application code runs: a bare 400, the clearest answer there is.
                return null;
            }
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                return $"{request} → {status} without a problem body ({response.Content.Headers.ContentType})";
            }
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            return problem.TryGetProperty("status", out var s) && s.GetInt32() == status && problem.TryGetProperty("title", out _)
                ? null
                : $"{request} → {status} with a problem body that does not say so: {problem}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"{request} → {e.GetType().Name}: {e.Message}";
        }
    }

    private async Task<string?> Run(HostileSocketCase session)
    {
        var uri = new Uri($"ws://{silo.Http.BaseAddress!.Authority}/api/worlds/{session.WorldId}/session?{session.Query}",
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var timeout = new CancellationTokenSource(Deadline);
        ClientWebSocket socket;
        while (true)
        {
            socket = new ClientWebSocket();
            socket.Options.CollectHttpResponseDetails = true;
            // Authenticated as the admin: what is hostile here is the traffic, not the caller (HostileTokenTests covers tokens).
            socket.Options.SetRequestHeader("Authorization", $"Bearer {silo.AdminToken}");
            try
            {
                await socket.ConnectAsync(uri, timeout.Token);
                break;
            }
            catch (WebSocketException)
            {
                var status = (int)socket.HttpStatusCode;
                socket.Dispose();
                if (status == 409 && session.Query == "role=player" && !timeout.IsCancellationRequested)
                {
                    // The previous player's leave is still on its way: its slot frees in a moment.
                    await Task.Delay(50, timeout.Token);
                    continue;
                }
                return session.Fragments.Count == 0 && status is >= 400 and < 500 ? null : $"{session} → upgrade refused with {status}";
            }
            catch (OperationCanceledException)
            {
                socket.Dispose();
                return $"{session} → no answer to the upgrade within {Deadline}";
            }
        }
        using (socket)
        {
            if (session.Fragments.Count == 0)
            {
                return $"{session} → accepted";
            }
            try
            {
                var type = session.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
                for (var i = 0; i < session.Fragments.Count; i++)
                {
                    if (i > 0 && session.FragmentGap > TimeSpan.Zero)
                    {
                        await Task.Delay(session.FragmentGap, timeout.Token);
                    }
                    await socket.SendAsync(session.Fragments[i], type, i == session.Fragments.Count - 1, timeout.Token);
                }
            }
            catch (WebSocketException)
            {
                // The server may close an oversized message before it is all sent: what it said is read below.
            }
            return await Answer(socket, session, timeout.Token);
        }
    }

    // Reads until the server reports an error or closes; frames and the welcome are skipped.
    private static async Task<string?> Answer(ClientWebSocket socket, HostileSocketCase session, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return socket.CloseStatus is WebSocketCloseStatus.MessageTooBig or WebSocketCloseStatus.InvalidMessageType
                        or WebSocketCloseStatus.PolicyViolation or WebSocketCloseStatus.InvalidPayloadData
                        ? null
                        : $"{session} → closed with {socket.CloseStatus} ({socket.CloseStatusDescription})";
                }
                if (result.MessageType == WebSocketMessageType.Text && result.EndOfMessage
                    && Encoding.UTF8.GetString(buffer, 0, result.Count).Contains("\"type\":\"error\"", StringComparison.Ordinal))
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken);
                    return null;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return $"{session} → neither an error nor a close within {Deadline}";
        }
        catch (WebSocketException e)
        {
            return $"{session} → the connection broke: {e.Message}";
        }
    }

    // Very slow senders hold requests open a byte at a time; the server must keep serving others and refuse them in the end.
    private async Task<IReadOnlyList<string>> SlowBodies(string world)
    {
        var port = silo.Http.BaseAddress!.Port;
        var senders = Enumerable.Range(0, SlowSenders).Select(async i =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            var stream = tcp.GetStream();
            var body = Encoding.UTF8.GetBytes("{\"actions\": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}");
            var head = $"POST /api/worlds/{world}/step HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            try
            {
                // One byte every 250 ms: far below any sane data rate, for up to 8 s.
                for (var b = 0; b < body.Length && b < 32; b++)
                {
                    await stream.WriteAsync(body.AsMemory(b, 1));
                    await Task.Delay(250);
                }
                await stream.WriteAsync(body.AsMemory(Math.Min(32, body.Length)));
            }
            catch (IOException)
            {
                // The server gave up on us first (its minimum data rate): what it said is read below.
            }
            var answer = await ReadStatusLine(stream);
            return answer is null || answer.StartsWith("HTTP/1.1 4", StringComparison.Ordinal) ? null : $"slow sender {i} → {answer}";
        }).ToList();
        // Meanwhile, everybody else is served.
        var served = await silo.Http.GetAsync($"/api/worlds/{world}");
        var failures = (await Task.WhenAll(senders)).OfType<string>().ToList();
        if (!served.IsSuccessStatusCode)
        {
            failures.Add($"a normal request during the slow senders → {(int)served.StatusCode}");
        }
        return failures;
    }

    // The status line of the response, or null when the server closed the connection without one.
    private static async Task<string?> ReadStatusLine(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var buffer = new byte[512];
        try
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return read == 0 ? null : Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
        }
        catch (IOException)
        {
            return null;
        }
    }
}
