using Microsoft.Extensions.Configuration;
using WorldCluster.Silo.Hosting;

namespace WorldCluster.Silo.Tests.Hosting;

public sealed class SiloOptionsTests
{
    [Theory]
    [InlineData("MinWorkerThreads", "-1")]
    [InlineData("MallocArenas", "-2")]
    [InlineData("TorchThreads", "-4")]
    [InlineData("NativeHeapTrimInterval", "-00:01:00")]
    public void A_negative_setting_is_refused_with_its_configuration_key(string key, string value)
    {
        var options = Bind(new() { [$"WorldCluster:{key}"] = value });

        var refused = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.StartsWith($"WorldCluster:{key} is ", refused.Message);
    }

    [Fact]
    public void The_defaults_and_zeros_are_valid()
    {
        new SiloOptions().Validate();
        Bind(new()
        {
            ["WorldCluster:MinWorkerThreads"] = "0",
            ["WorldCluster:MallocArenas"] = "0",
            ["WorldCluster:TorchThreads"] = "0",
            ["WorldCluster:NativeHeapTrimInterval"] = "00:00:00",
        }).Validate();
    }

    [Fact]
    public void Group_commit_is_on_by_default_and_a_setting_switches_it_off()
    {
        Assert.True(new SiloOptions().Store.GroupCommit);
        Assert.False(Bind(new() { ["WorldCluster:Store:GroupCommit"] = "false" }).Store.GroupCommit);
    }

    private static SiloOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new SiloOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(SiloOptions.SectionName).Bind(options);
        return options;
    }
}
