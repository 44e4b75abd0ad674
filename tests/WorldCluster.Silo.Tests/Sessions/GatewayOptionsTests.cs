using Microsoft.Extensions.Configuration;
using WorldCluster.Runtime.Worlds;
using WorldCluster.Silo.Hosting;
using WorldCluster.Silo.Sessions;

namespace WorldCluster.Silo.Tests.Sessions;

public sealed class GatewayOptionsTests
{
    [Fact]
    public void The_defaults_renew_well_inside_the_worlds_default_limits()
    {
        var gateway = new GatewayOptions();
        var worlds = new WorldOptions();

        gateway.Validate();
        gateway.ValidateAgainst(worlds.SessionTimeout, worlds.ObserverExpiry);
        Assert.True(gateway.SessionKeepAlive * 3 <= worlds.SessionTimeout);
        Assert.True(gateway.FeedRefresh * 6 <= worlds.ObserverExpiry);
    }

    [Theory]
    [InlineData("SessionKeepAlive", "00:00:00")]
    [InlineData("FeedRefresh", "-00:00:01")]
    [InlineData("SessionFrameCapacity", "0")]
    [InlineData("ImageQuality", "0")]
    [InlineData("ImageQuality", "101")]
    [InlineData("VideoBitrateKbps", "0")]
    [InlineData("KeyframeInterval", "0")]
    [InlineData("FfmpegPath", " ")]
    public void A_setting_the_gateway_cannot_run_with_is_refused_with_its_key(string key, string value)
    {
        var options = Bind(new() { [$"WorldCluster:Gateway:{key}"] = value });

        var refused = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.StartsWith($"WorldCluster:Gateway:{key} must be", refused.Message);
    }

    [Fact]
    public void A_silo_whose_sessions_would_lapse_between_keep_alives_does_not_start()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(
            ["--WorldCluster:Worlds:SessionTimeout", "00:00:05", "--WorldCluster:Gateway:SessionKeepAlive", "00:00:05"]);

        var refused = Assert.Throws<InvalidOperationException>(() => builder.AddWorldClusterGateway());

        Assert.Contains("WorldCluster:Gateway:SessionKeepAlive", refused.Message, StringComparison.Ordinal);
        Assert.Contains("WorldCluster:Worlds:SessionTimeout", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shorter_keep_alive_lets_a_short_session_timeout_start()
    {
        var gateway = Bind(new() { ["WorldCluster:Gateway:SessionKeepAlive"] = "00:00:01" });

        gateway.ValidateAgainst(TimeSpan.FromSeconds(5), new WorldOptions().ObserverExpiry);
        Assert.Throws<InvalidOperationException>(() => gateway.ValidateAgainst(TimeSpan.FromSeconds(1), new WorldOptions().ObserverExpiry));
    }

    private static GatewayOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new GatewayOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(GatewayOptions.SectionName).Bind(options);
        return options;
    }
}
