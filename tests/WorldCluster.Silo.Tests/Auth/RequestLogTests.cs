using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Silo.Tests.Processes;

namespace WorldCluster.Silo.Tests.Auth;

/// <summary>
/// Issue 22, item 3: the host started from a folder without appsettings.json (the data folder) logs no request lines by
/// default, and with request logging on it never prints a session's <c>access_token</c>.
/// </summary>
public sealed class RequestLogTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Requests_are_not_logged_by_default_from_any_folder()
    {
        var data = Directory.CreateTempSubdirectory("worldcluster-requestlog-off-").FullName;
        try
        {
            string output;
            string token;
            await using (var silo = await SiloProcess.StartAsync(data, [], Deadline))
            {
                token = await CallSessionWithQueryToken(silo);
                output = silo.Output;
            }

            Assert.DoesNotContain(token, output, StringComparison.Ordinal);
            Assert.DoesNotContain("Request starting", output, StringComparison.Ordinal);
            Assert.DoesNotContain("/session", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_request_log_turned_on_redacts_access_tokens()
    {
        var data = Directory.CreateTempSubdirectory("worldcluster-requestlog-on-").FullName;
        try
        {
            string output;
            string token;
            await using (var silo = await SiloProcess.StartAsync(data,
                ["--Logging:LogLevel:Microsoft.AspNetCore", "Information", "--Logging:LogLevel:WorldCluster.Requests", "Information"], Deadline))
            {
                token = await CallSessionWithQueryToken(silo);
                // The console logger writes from a queue of its own: wait (with a deadline) for the line to come out.
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                while (!silo.Output.Contains("access_token=", StringComparison.Ordinal))
                {
                    await Task.Delay(50, deadline.Token);
                }
                output = silo.Output;
            }

            Assert.DoesNotContain(token, output, StringComparison.Ordinal);
            Assert.Contains("/session?role=spectator&access_token=redacted 400", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    // A plain GET of the session endpoint with the token in the query (as the page sends it): 400 (no WebSocket), logged.
    private static async Task<string> CallSessionWithQueryToken(SiloProcess silo)
    {
        using var created = await silo.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", players = 1 });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var invited = await silo.Http.PostAsJsonAsync($"/api/worlds/{id}/invites", new { role = "spectator" });
        var token = (await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        using var anonymous = new HttpClient { BaseAddress = silo.Http.BaseAddress };
        using var session = await anonymous.GetAsync($"/api/worlds/{id}/session?role=spectator&access_token={token}");
        Assert.Equal(HttpStatusCode.BadRequest, session.StatusCode);
        return token;
    }
}
