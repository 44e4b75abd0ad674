using System.Text.RegularExpressions;
using System.Xml.Linq;
using WorldCluster.Runtime.Tests.Fixtures;

namespace WorldCluster.Silo.Tests.Deploy;

/// <summary>The layout docs/architecture.md draws: which project may reference which, and where long files are explained.</summary>
public sealed partial class ProjectReferenceTests
{
    // docs/architecture.md, "Projects and their references": each project references only projects listed before it.
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["WorldCluster.Contracts"] = [],
        ["WorldCluster.Abstractions"] = [],
        ["WorldCluster.Models"] = [],
        ["WorldCluster.Runtime"] = ["WorldCluster.Abstractions", "WorldCluster.Contracts", "WorldCluster.Models"],
        ["WorldCluster.Silo"] = ["WorldCluster.Contracts", "WorldCluster.Runtime"],
        ["WorldCluster.Client"] = ["WorldCluster.Contracts"],
        ["WorldCluster.Cli"] = ["WorldCluster.Client", "WorldCluster.Models"],
        ["WorldCluster.Benchmarks"] = ["WorldCluster.Client", "WorldCluster.Models", "WorldCluster.Silo"],
    };

    private static readonly string Root = AzuriteFixture.FindRepositoryRoot();

    [Fact]
    public void Every_source_project_references_only_what_the_architecture_page_allows()
    {
        var projects = Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories);

        Assert.Equal(Allowed.Keys.Order(StringComparer.Ordinal), projects.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
        foreach (var project in projects)
        {
            var name = Path.GetFileNameWithoutExtension(project);
            var references = XDocument.Load(project).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                .Order(StringComparer.Ordinal);
            Assert.True(references.SequenceEqual(Allowed[name]), $"{name} references [{string.Join(", ", references)}], the page allows [{string.Join(", ", Allowed[name])}]");
        }
    }

    [Theory]
    [InlineData("WorldCluster.Contracts")]
    [InlineData("WorldCluster.Client")]
    public void The_wire_contract_and_the_client_need_no_package_at_all(string name)
    {
        var project = XDocument.Load(Path.Combine(Root, "src", name, $"{name}.csproj"));

        Assert.Empty(project.Descendants("PackageReference"));
    }

    [Fact]
    public void Every_source_file_over_400_lines_is_explained_on_the_architecture_page()
    {
        var page = File.ReadAllText(Path.Combine(Root, "docs", "architecture.md"));
        var explained = ExplainedSection().Match(page).Groups[1].Value;

        var unexplained = Directory.GetFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => File.ReadLines(f).Count() > 400)
            .Select(Path.GetFileName)
            .Where(f => !explained.Contains($"{f}`", StringComparison.Ordinal))
            .ToList();

        Assert.True(unexplained.Count == 0, $"over 400 lines and not in docs/architecture.md's \"Files over 400 lines\": {string.Join(", ", unexplained)}");
    }

    [GeneratedRegex(@"## Files over 400 lines, and why\n(.*?)\n## ", RegexOptions.Singleline)]
    private static partial Regex ExplainedSection();
}
