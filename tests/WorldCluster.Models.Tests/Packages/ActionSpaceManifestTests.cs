using System.Text.Json.Nodes;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Packages;

namespace WorldCluster.Models.Tests.Packages;

/// <summary>model.json declares keys, box and dict action spaces; anything the runtime could not check is refused naming the field.</summary>
public sealed class ActionSpaceManifestTests : IDisposable
{
    private const string KeysAndMouse = """
        {"type": "dict", "components": [
          {"name": "keys", "type": "keys", "names": ["W", "A", "S", "D", "Space"]},
          {"name": "mouse", "type": "box", "names": ["dx", "dy"], "low": [-100, -100], "high": [100, 100], "merge": "sum"}]}
        """;

    private readonly PackageFolders _folders = new();

    /// <inheritdoc />
    public void Dispose() => _folders.Dispose();

    [Fact]
    public void A_dict_of_keys_and_mouse_is_read_with_its_widths_bounds_and_merge_rules()
    {
        var folder = _folders.CopyFixture("dict", j => j["actionSpace"] = JsonNode.Parse(KeysAndMouse));

        var space = ModelPackageReader.Read(folder).Manifest.ActionSpace;

        Assert.False(space.IsDiscrete);
        Assert.Equal(7, space.Width);
        Assert.Equal(["keys", "mouse"], space.Components.Select(c => c.Name));
        Assert.Equal((ActionKind.Keys, ActionMerge.Latest), (space.Components[0].Kind, space.Components[0].Merge));
        Assert.Equal((ActionKind.Box, ActionMerge.Sum, -100f, 100f), (space.Components[1].Kind, space.Components[1].Merge, space.Components[1].Low[1], space.Components[1].High[1]));
    }

    [Fact]
    public void A_format_1_discrete_space_means_what_it_did()
    {
        var space = ModelPackageReader.Read(PackageFolders.Fixture).Manifest.ActionSpace;

        Assert.True(space.IsDiscrete);
        Assert.Equal(1, space.Width);
        Assert.Empty(space.Components);
    }

    [Theory]
    [InlineData("""{"type": "box", "names": ["dx"], "low": [1], "high": [2]}""", "'actionSpace' dimension 'dx' has low 1 and high 2; need low <= 0 <= high")]
    [InlineData("""{"type": "box", "names": ["dx", "dy"], "low": [-1], "high": [1, 1]}""", "'actionSpace.low' has 1 values; give one per name (2)")]
    [InlineData("""{"type": "keys", "names": ["W", "W"]}""", "'actionSpace.names' has 'W' twice")]
    [InlineData("""{"type": "keys", "names": ["W"], "merge": "sum"}""", "'actionSpace.merge' is 'sum'; use tick or latest")]
    [InlineData("""{"type": "keys", "names": ["W"], "low": [0]}""", "'actionSpace.low' is not allowed for a keys space")]
    [InlineData("""{"type": "dict", "components": []}""", "'actionSpace.components' has 0 entries")]
    [InlineData("""{"type": "dict", "components": [{"type": "keys", "names": ["W"]}]}""", "'actionSpace.components[0].name' is missing")]
    [InlineData("""{"type": "dict", "components": [{"name": "a", "type": "dict", "components": []}]}""", "'actionSpace.components[0].components' is not allowed here")]
    [InlineData("""{"type": "dict", "components": [{"name": "k", "type": "keys", "names": ["W"]}, {"name": "k", "type": "keys", "names": ["S"]}]}""", "'actionSpace.components' names 'k' twice")]
    public void A_space_the_runtime_cannot_check_is_refused_naming_the_field(string space, string expected)
    {
        var folder = _folders.CopyFixture("bad-space", j => j["actionSpace"] = JsonNode.Parse(space));

        var e = Assert.Throws<ModelPackageException>(() => ModelPackageReader.Read(folder));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
