using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.FileProviders;

namespace WorldCluster.Silo.Hosting;

/// <summary>Builds the WorldCluster host: the silo, the HTTP gateway, metrics and health, from command line and configuration.</summary>
public static class WorldClusterApp
{
    /// <summary>The address the embedded default listens on when no <c>--urls</c> is given.</summary>
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>Builds the application; the caller runs it.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        // Whatever folder the host runs in: the shipped settings (beside the assembly) first, then the content root's,
        // the environment and the command line; below them all, request logging off (request lines can carry tokens).
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Orleans"] = "Warning",
                ["Logging:LogLevel:Polly"] = "Warning",
                [$"Logging:LogLevel:{RequestLog.Category}"] = "Warning",
            },
        });
        builder.Configuration.Sources.Insert(1, new JsonConfigurationSource
        {
            Path = "appsettings.json",
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
            Optional = true,
        });
        // ASP.NET's request lines print query strings unredacted (a session's access_token): never at Information.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        builder.AddWorldClusterSilo();
        builder.AddWorldClusterGateway();

        var app = builder.Build();
        app.MapWorldClusterGateway();
        return app;
    }
}
