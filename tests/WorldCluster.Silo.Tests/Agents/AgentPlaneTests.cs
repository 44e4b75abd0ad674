using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using WorldCluster.Contracts.Plane;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Agents;

/// <summary>The agent plane against a real host: malformed input steps nothing and spares other connections; auth.</summary>
public sealed class AgentPlaneTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    private const int FuzzMessages = 2000;

    [Fact]
    public async Task Thousands_of_malformed_messages_step_nothing_and_a_parallel_connection_keeps_stepping()
    {
        string[] worlds = [await CreateWorld(1), await CreateWorld(2), await CreateWorld(3), await CreateWorld(4)];
        var before = await Task.WhenAll(worlds.Select(Describe));
        await using var good = await PlaneSocket.ConnectAsync(host.Http);
        Assert.Equal(PlaneKind.Bound, PlaneHeader.Read(await good.BindAsync(1, await CreateWorld(5)), out _)!.Value.Kind);
        using var fuzzDone = new CancellationTokenSource();
        var goodSteps = SteppingUntil(good, fuzzDone.Token);

        var random = new Random(20);
        var cases = Enumerable.Range(0, FuzzMessages).Select(_ => PlaneFuzz.Next(random)).ToArray();
        var closes = new List<(WebSocketCloseStatus? Status, string? Reason)>();
        foreach (var chunk in cases.Chunk(8))
        {
            closes.AddRange(await Task.WhenAll(chunk.Select(c => SendMalformed(worlds, c.Message, c.Type))));
        }
        await fuzzDone.CancelAsync();
        var stepped = await goodSteps;

        Assert.All(closes, c => Assert.Contains(c.Status, new WebSocketCloseStatus?[] { WebSocketCloseStatus.InvalidPayloadData, WebSocketCloseStatus.InvalidMessageType }));
        Assert.All(closes, c => Assert.False(string.IsNullOrWhiteSpace(c.Reason)));
        var after = await Task.WhenAll(worlds.Select(Describe));
        Assert.Equal(before, after);
        Assert.True(stepped > 0, "the good connection stepped while the fuzz ran");
        await good.SendAsync(new PlaneStep(7, false, 1, [1], [0], [PlaneOp.Step]).Encode());
        var last = PlaneResult.Read((await good.ReceiveAsync())!);
        Assert.Equal(stepped + 1, last.Tick(0));
    }

    [Fact]
    public async Task Steps_past_the_sixteen_in_flight_wait_are_never_refused_and_each_env_runs_in_order()
    {
        const int Envs = 4;
        const int Requests = 40;
        string[] worlds = [await CreateWorld(11), await CreateWorld(12), await CreateWorld(13), await CreateWorld(14)];
        await using var plane = await PlaneSocket.ConnectAsync(host.Http);
        Assert.Equal(PlaneKind.Bound, PlaneHeader.Read(await plane.BindAsync(1, worlds), out _)!.Value.Kind);

        // Far more than 16 in flight, none read yet, then a malformed message: the server reads it only once earlier steps started.
        for (var k = 0; k < Requests; k++)
        {
            await plane.SendAsync(new PlaneStep((uint)(100 + k), true, 1, [k % 6], [k % Envs], [PlaneOp.Step]).Encode());
        }
        await plane.SendAsync([.. "WCAQ"u8, 1, 2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
        var ticks = new Dictionary<uint, long>();
        while (await plane.ReceiveAsync() is { } answer)
        {
            Assert.Equal(PlaneKind.Result, PlaneHeader.Read(answer, out _)!.Value.Kind);
            var result = PlaneResult.Read(answer);
            Assert.Equal(0, result.Status(0));
            Assert.True(ticks.TryAdd(result.Header.RequestId, result.Tick(0)), "one answer per request");
        }

        // Every step ran and was answered before the close; each env's steps ran in the order they were sent.
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, plane.CloseStatus);
        Assert.Equal(Requests, ticks.Count);
        for (var k = 0; k < Requests; k++)
        {
            Assert.Equal((k / Envs) + 1L, ticks[(uint)(100 + k)]);
        }
        Assert.All(await Task.WhenAll(worlds.Select(Describe)), d => Assert.Equal(Requests / Envs, d.Tick));
    }

    [Fact]
    public async Task The_plane_is_admin_only()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/plane");
        using var anonymous = host.ClientWith(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(request)).StatusCode);
        using var plain = await host.Http.GetAsync("/api/plane");
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        using var foreign = new HttpRequestMessage(HttpMethod.Get, "/api/plane");
        foreign.Headers.Add("Origin", "https://elsewhere.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Http.SendAsync(foreign)).StatusCode);
    }

    [Fact]
    public async Task A_token_in_the_subprotocol_opens_the_plane_as_a_browser_would()
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(PlaneProtocol.SubProtocol);
        socket.Options.AddSubProtocol("worldcluster.token." + host.AdminToken);
        await socket.ConnectAsync(new UriBuilder(host.Http.BaseAddress!) { Scheme = "ws", Path = "/api/plane" }.Uri, CancellationToken.None);
        Assert.Equal(PlaneProtocol.SubProtocol, socket.SubProtocol);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    // Binds envs 0-3 to the worlds, sends one malformed message, and returns how the server closed (no result may come first).
    private async Task<(WebSocketCloseStatus?, string?)> SendMalformed(string[] worlds, byte[] message, WebSocketMessageType type)
    {
        await using var plane = await PlaneSocket.ConnectAsync(host.Http);
        Assert.Equal(PlaneKind.Bound, PlaneHeader.Read(await plane.BindAsync(1, worlds), out _)!.Value.Kind);
        await plane.SendAsync(message, type);
        byte[]? answer;
        try
        {
            answer = await plane.ReceiveAsync();
        }
        catch (WebSocketException e)
        {
            throw new InvalidOperationException($"{type} message {Convert.ToHexString(message.AsSpan(0, Math.Min(40, message.Length)))} ({message.Length} bytes) broke the connection", e);
        }
        Assert.True(answer is null, $"the server answered a malformed message ({Convert.ToHexString(message.AsSpan(0, Math.Min(32, message.Length)))}) instead of closing");
        return (plane.CloseStatus, plane.CloseReason);
    }

    private static async Task<int> SteppingUntil(PlaneSocket plane, CancellationToken stop)
    {
        var steps = 0;
        while (!stop.IsCancellationRequested)
        {
            await plane.SendAsync(new PlaneStep((uint)steps, true, 1, [steps % 6], [0], [PlaneOp.Step]).Encode());
            var result = PlaneResult.Read((await plane.ReceiveAsync())!);
            Assert.Equal((0, steps + 1L), (result.Status(0), result.Tick(0)));
            steps++;
        }
        return steps;
    }

    private async Task<string> CreateWorld(long seed)
    {
        var created = await host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed, players = 1 });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<(long Tick, string? Digest)> Describe(string world)
    {
        var info = await host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds/{world}");
        return (info.GetProperty("tick").GetInt64(), info.GetProperty("stateDigest").GetString());
    }
}
