using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WorldCluster.Silo.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Auth;

/// <summary><c>GET /api/worlds</c> pages: every id once, in order, and bad paging parameters are 400s.</summary>
public sealed class WorldPagingTests(SiloHostFixture host) : IClassFixture<SiloHostFixture>
{
    [Fact]
    public async Task Paging_by_two_yields_every_world_once_in_order()
    {
        for (var i = 0; i < 5; i++)
        {
            (await host.Http.PostAsJsonAsync("/api/worlds", new { model = "reference-world", seed = i })).EnsureSuccessStatusCode();
        }
        var all = await Ids("/api/worlds?limit=1000");

        var paged = new List<string>();
        var pages = 0;
        string? next = null;
        do
        {
            var page = await host.Http.GetFromJsonAsync<JsonElement>($"/api/worlds?limit=2{(next is null ? "" : $"&after={next}")}");
            var ids = page.GetProperty("worlds").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.InRange(ids.Count, 1, 2);
            paged.AddRange(ids);
            next = page.GetProperty("next").GetString();
            pages++;
        }
        while (next is not null);

        Assert.True(all.Count >= 5);
        Assert.Equal(all, paged);
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        Assert.Equal((all.Count + 1) / 2, pages);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=-1")]
    [InlineData("limit=ten")]
    [InlineData("after=Not_An_Id!")]
    public async Task A_bad_page_request_is_a_400_problem(string query)
    {
        using var response = await host.Http.GetAsync($"/api/worlds?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<List<string>> Ids(string path) =>
        [.. (await host.Http.GetFromJsonAsync<JsonElement>(path)).GetProperty("worlds").EnumerateArray().Select(e => e.GetString()!)];
}
