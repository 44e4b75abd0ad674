using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace WorldCluster.Silo.Auth;

/// <summary>
/// In local mode, issues an admin token at start, writes it to <c>&lt;data&gt;/admin.token</c> (owner-only) before the
/// gateway listens, and logs it with the web page's address once it does.
/// </summary>
public sealed class AdminTokenPublisher(
    TokenIssuer issuer, AuthOptions options, AuthPaths paths, IServer server, IHostApplicationLifetime lifetime, ILogger<AdminTokenPublisher> logger) : IHostedService
{
    /// <summary>The admin token's file name in the data folder.</summary>
    public const string FileName = "admin.token";

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var token = issuer.Admin(options.AdminTokenLifetime);
        var path = Path.Combine(paths.DataRoot, FileName);
        var temp = path + ".tmp";
        File.Delete(temp);
        var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var writer = new StreamWriter(temp, file))
        {
            writer.WriteLine(token.Token);
        }
        File.Move(temp, path, overwrite: true);
        lifetime.ApplicationStarted.Register(() =>
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5080";
            logger.LogInformation(
                "Admin token (valid until {Expires:u}, also in {Path}): {Token}\n      Web page: {Address}/#token={Token}",
                token.ExpiresAt, path, token.Token, address.TrimEnd('/'), token.Token);
        });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Where the auth files live.</summary>
public sealed record AuthPaths(string DataRoot, string SigningKey);
