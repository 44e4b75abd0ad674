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
