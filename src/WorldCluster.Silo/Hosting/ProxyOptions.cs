using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace WorldCluster.Silo.Hosting;

/// <summary>
/// The reverse proxies (an Ingress, a load balancer) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> the gateway
/// believes (section <c>WorldCluster:Proxy</c>). None by default: forwarded headers from anyone else are ignored.
/// </summary>
public sealed class ProxyOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "WorldCluster:Proxy";

    /// <summary>Proxy addresses, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>10.0.0.0/8</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>The forwarded-headers settings that trust exactly these proxies; a bad address stops the host.</summary>
    public ForwardedHeadersOptions ToForwardedHeaders()
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        // ASP.NET trusts loopback by default; here only what is configured.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                ? address
                : throw new InvalidOperationException($"{SectionName}:KnownProxies: '{proxy}' is not an IP address"));
        }
        foreach (var network in KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"{SectionName}:KnownNetworks: '{network}' is not a network in CIDR notation (e.g. 10.0.0.0/8)"));
        }
        return options;
    }
}
