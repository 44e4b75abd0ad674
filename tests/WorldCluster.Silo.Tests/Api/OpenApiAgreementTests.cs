using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WorldCluster.Runtime.Tests.Fixtures;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Api;

/// <summary>
/// The OpenAPI document says what the server does: every sample request fits its documented schema exactly when the
/// server accepts it, and every answer fits the schema of its status. The samples differ in shape only (types, missing
/// or extra members): a request whose shape fits may still be refused for its values, which a schema cannot say.
/// </summary>
public sealed class OpenApiAgreementTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sample_requests_and_answers_agree_with_the_document()
    {
        var document = JsonNode.Parse(await host.Http.GetStringAsync("/openapi/v1.json"))!;
        var created = await Send(HttpMethod.Post, "/api/worlds", """{"model": "reference-world", "seed": 42, "players": 2}""");
        var id = JsonNode.Parse(created.Body)!["id"]!.GetValue<string>();
        var samples = new List<Sample>
        {
            new("create", "/api/worlds", "POST", """{"model": "reference-world", "seed": 7}"""),
            new("create, all settings", "/api/worlds", "POST", """{"model": "reference-world", "seed": 7, "players": 1, "tickHz": 0}"""),
            new("create, seed as a string", "/api/worlds", "POST", """{"model": "reference-world", "seed": "7"}"""),
            new("create, players as a string", "/api/worlds", "POST", """{"model": "reference-world", "players": "2"}"""),
            new("create, no model", "/api/worlds", "POST", """{"seed": 7}"""),
            new("create, null model", "/api/worlds", "POST", """{"model": null}"""),
            new("step", "/api/worlds/{id}/step", "POST", """{"actions": [1, 4]}"""),
            new("step, no actions", "/api/worlds/{id}/step", "POST", """{}"""),
            new("step, actions as strings", "/api/worlds/{id}/step", "POST", """{"actions": ["1", "4"]}"""),
            new("fork, empty body", "/api/worlds/{id}/fork", "POST", """{}"""),
            new("fork at a tick", "/api/worlds/{id}/fork", "POST", """{"atTick": 1}"""),
            new("fork, tick as a string", "/api/worlds/{id}/fork", "POST", """{"atTick": "1"}"""),
            new("join", "/api/worlds/{id}/participants", "POST", """{"role": "spectator", "name": "carol"}"""),
            new("join, no role", "/api/worlds/{id}/participants", "POST", """{"name": "carol"}"""),
            new("invite", "/api/worlds/{id}/invites", "POST", """{"role": "player", "lifetimeSeconds": 60}"""),
            new("invite, lifetime as a string", "/api/worlds/{id}/invites", "POST", """{"role": "player", "lifetimeSeconds": "60"}"""),
            new("batch step", "/api/steps", "POST", """{"steps": [{"world": "{id}", "actions": [0, 0]}], "frames": "none"}"""),
            new("batch step, no steps", "/api/steps", "POST", """{"frames": "none"}"""),
            new("observe", "/api/observations", "POST", """{"worlds": ["{id}"], "frames": "png"}"""),
            new("observe, worlds as a string", "/api/observations", "POST", """{"worlds": "{id}"}"""),
            new("world", "/api/worlds/{id}", "GET", null),
            new("worlds", "/api/worlds", "GET", null),
            new("models", "/api/models", "GET", null),
            new("participants", "/api/worlds/{id}/participants", "GET", null),
        };

        var cases = new JsonArray();
        var answers = new Dictionary<string, Answer>();
        foreach (var sample in samples)
        {
            var answer = await Send(new HttpMethod(sample.Method), sample.Path.Replace("{id}", id, StringComparison.Ordinal),
                sample.Body?.Replace("{id}", id, StringComparison.Ordinal));
            answers[sample.Name] = answer;
            if (sample.Body is not null)
            {
                cases.Add(Case($"{sample.Name}: request", sample.Path, sample.Method, null, sample.Body.Replace("{id}", id, StringComparison.Ordinal)));
            }
            if (answer.Status is >= 200 and < 300)
            {
                cases.Add(Case($"{sample.Name}: answer", sample.Path, sample.Method, answer.Status, answer.Body));
            }
        }
        var verdicts = Check(document, cases);

        foreach (var sample in samples)
        {
            var answer = answers[sample.Name];
            var accepted = answer.Status is >= 200 and < 300;
            if (sample.Body is not null)
            {
                var request = verdicts[$"{sample.Name}: request"];
                Assert.True(request.Fits == accepted,
                    $"{sample.Name}: the server answered {answer.Status} ({answer.Body}) but the document says the request {(request.Fits ? "fits" : $"does not fit ({request.Reason})")}");
            }
            if (accepted)
            {
                var fits = verdicts[$"{sample.Name}: answer"];
                Assert.True(fits.Fits, $"{sample.Name}: the {answer.Status} answer does not fit the document: {fits.Reason}\n{answer.Body}");
            }
        }
        // Both kinds of sample were there: some the server took, some it refused.
        Assert.Contains(samples, s => answers[s.Name].Status == 400);
        Assert.Contains(samples, s => answers[s.Name].Status is 200 or 201);
    }

    [Theory]
    [InlineData("""{"model": "no-such-model"}""", 404)]
    [InlineData("""{"model": "reference-world", "players": 99}""", 400)]
    [InlineData("""{"model": "reference-world", "tickHz": -1}""", 400)]
    public async Task A_refused_create_names_no_world(string body, int status)
    {
        var answer = await Send(HttpMethod.Post, "/api/worlds", body);

        Assert.Equal(status, answer.Status);
        using var problem = JsonDocument.Parse(answer.Body);
        Assert.False(problem.RootElement.TryGetProperty("worldId", out var worldId), $"the refusal names world {worldId}");
    }

    private async Task<Answer> Send(HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        using var response = await host.Http.SendAsync(request);
        return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static JsonObject Case(string name, string path, string method, int? status, string body) => new()
    {
        ["name"] = name,
        ["path"] = path,
        ["method"] = method,
        ["status"] = status,
        ["body"] = JsonNode.Parse(body),
    };

    // tools/openapi-check.py judges with python3-jsonschema (build/install-deps.sh installs Debian's, under /usr/bin).
    private static Dictionary<string, Verdict> Check(JsonNode document, JsonArray cases)
    {
        var script = Path.Combine(AzuriteFixture.FindRepositoryRoot(), "tools", "openapi-check.py");
        using var process = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        process.StandardInput.Write(new JsonObject { ["document"] = document.DeepClone(), ["cases"] = cases }.ToJsonString());
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(Deadline), "tools/openapi-check.py did not finish in time");
        Assert.True(process.ExitCode == 0, $"tools/openapi-check.py failed: {error.Result}");
        return JsonNode.Parse(output.Result)!["verdicts"]!.AsArray().ToDictionary(
            v => v!["name"]!.GetValue<string>(),
            v => new Verdict(v!["fits"]!.GetValue<bool>(), v["reason"]?.GetValue<string>()));
    }

    private sealed record Sample(string Name, string Path, string Method, string? Body);

    private sealed record Answer(int Status, string Body);

    private sealed record Verdict(bool Fits, string? Reason);
}
