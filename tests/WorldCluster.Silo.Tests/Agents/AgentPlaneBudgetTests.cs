using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using WorldCluster.Abstractions;
using WorldCluster.Contracts.Plane;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Agents;

/// <summary>
/// The agent plane counts every message against the token's one API budget, shared with HTTP; a message over budget gets a
/// 429 Error that names the limit and when to retry, steps nothing, and leaves the connection open.
/// </summary>
public sealed class AgentPlaneBudgetTests
{
    private const int Budget = 8;

    [Fact]
    public async Task A_spent_budget_answers_429_steps_nothing_and_is_shared_with_http()
    {
        // A day's window, aligned to UTC midnight: the guard keeps it from ending mid-test.
        var fixture = SiloHostFixture.With("plane-budget", "--WorldCluster:RateLimit:PermitLimit", $"{Budget}", "--WorldCluster:RateLimit:Window", "1.00:00:00");
        await fixture.InitializeAsync();
        try
        {
            await RateWindows.AwayFromMidnightAsync();
            var http = fixture.Http;
            // Requests 1-5: create, upgrade, bind, two steps.
            var created = await http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = 7, players = 1 });
            created.EnsureSuccessStatusCode();
            var world = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            await using var plane = await PlaneSocket.ConnectAsync(http);
            Assert.Equal(PlaneKind.Bound, PlaneHeader.Read(await plane.BindAsync(1, world), out _)!.Value.Kind);
            Assert.Equal(1, await Step(plane, 2));
            Assert.Equal(2, await Step(plane, 3));
            // Requests 6-7 over HTTP, 8 on the plane again: the last of the budget.
            using (var described = await http.GetAsync($"/api/worlds/{world}"))
            {
                Assert.Equal(HttpStatusCode.OK, described.StatusCode);
            }
            using (var listed = await http.GetAsync("/api/models"))
            {
                Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            }
            Assert.Equal(3, await Step(plane, 4));
            var grain = fixture.Services.GetRequiredService<IGrainFactory>().GetGrain<IWorldGrain>(world);
            var before = await grain.GetAsync();

            // Over budget: an Error with the request's id, on the same connection, twice (the first did not close it).
            var refused = new List<(uint Id, int Status, string Detail)>();
            var sentAt = DateTimeOffset.UtcNow;
            var windowEnd = new DateTimeOffset(sentAt.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
            foreach (var id in new uint[] { 5, 6 })
            {
                await plane.SendAsync(new PlaneStep(id, true, 1, [1], [0], [PlaneOp.Step]).Encode());
                var answer = await plane.ReceiveAsync() ?? throw new InvalidOperationException($"the plane closed: {plane.CloseStatus} {plane.CloseReason}");
                var header = PlaneHeader.Read(answer, out _)!.Value;
                Assert.Equal(PlaneKind.Error, header.Kind);
                var (status, detail) = PlaneReplies.ReadError(answer);
                refused.Add((header.RequestId, status, detail));
            }
            var after = DateTimeOffset.UtcNow;
            // HTTP finds the same budget spent by the plane's messages.
            using var overHttp = await http.GetAsync($"/api/worlds/{world}");

            Assert.Equal([(5u, 429), (6u, 429)], refused.Select(r => (r.Id, r.Status)));
            Assert.All(refused, r => Assert.Contains($"may make {Budget} API requests per 86400 s; nothing in this request ran; retry after ", r.Detail, StringComparison.Ordinal));
            // Retry after the rest of the window (to UTC midnight), as HTTP's Retry-After says.
            var last = refused[^1].Detail;
            var seconds = double.Parse(last[(last.LastIndexOf("retry after ", StringComparison.Ordinal) + 12)..^2], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(seconds, Math.Floor((windowEnd - after).TotalSeconds), Math.Ceiling((windowEnd - sentAt).TotalSeconds) + 1);
            Assert.Equal(HttpStatusCode.TooManyRequests, overHttp.StatusCode);
            Assert.NotNull(overHttp.Headers.RetryAfter?.Delta);
            var unchanged = await grain.GetAsync();
            Assert.Equal((3L, before.StateDigest), (unchanged.Tick, unchanged.StateDigest));
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private static async Task<long> Step(PlaneSocket plane, uint id)
    {
        await plane.SendAsync(new PlaneStep(id, true, 1, [1], [0], [PlaneOp.Step]).Encode());
        var result = PlaneResult.Read((await plane.ReceiveAsync())!);
        Assert.Equal(0, result.Status(0));
        return result.Tick(0);
    }
}
