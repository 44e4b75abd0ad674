namespace WorldCluster.Contracts.Tests;

public sealed class WorldIdTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("w-0123456789abcdef")]
    [InlineData("trailing-")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
    public void Valid_ids(string id) => Assert.True(WorldId.IsValid(id));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-a")]
    [InlineData("A")]
    [InlineData("a_b")]
    [InlineData("a\\b")]
    [InlineData("..")]
    [InlineData("a1234567890123456789012345678901234567890123456789012345678901234")]
    public void Invalid_ids(string? id) => Assert.False(WorldId.IsValid(id));

    [Fact]
    public void New_ids_are_valid_distinct_and_shaped_like_w_and_16_base32_characters()
    {
        var ids = Enumerable.Range(0, 2000).Select(_ => WorldId.New()).ToList();

        Assert.All(ids, id =>
        {
            Assert.True(WorldId.IsValid(id));
            Assert.Matches("^w-[0-9a-hjkmnp-tv-z]{16}$", id);
        });
        Assert.Equal(ids.Count, ids.Distinct().Count());
        // Every base32 character turns up somewhere: the bits are spread, not stuck.
        Assert.Equal(32, ids.SelectMany(id => id[2..]).Distinct().Count());
    }

    [Fact]
    public void ThrowIfInvalid_names_the_parameter()
    {
        var badId = "Bad";
        var e = Assert.Throws<ArgumentException>(() => WorldId.ThrowIfInvalid(badId));
        Assert.Equal(nameof(badId), e.ParamName);
    }
}
