namespace WorldCluster.Silo.Auth;

/// <summary>How the gateway authenticates callers (section <c>WorldCluster:Auth</c>; docs/security.md).</summary>
public sealed class AuthOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "WorldCluster:Auth";

    /// <summary><c>local</c> (the gateway's own signing key and admin token; the default) or <c>oidc</c> (admins come from an OpenID Connect authority).</summary>
    public string Mode { get; set; } = "local";

    /// <summary>The OIDC authority (issuer URL) whose tokens are accepted in <c>oidc</c> mode.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience OIDC tokens must carry in <c>oidc</c> mode.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim of an OIDC token that holds its roles; a token whose claim contains <c>admin</c> is an admin.</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Whether the OIDC authority may be plain http (only for a local test identity provider).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// The key file that signs the gateway's own tokens (relative: under the data folder). Every gateway of a cluster
    /// must share it (mount one secret), or a token issued by one gateway is refused by another.
    /// </summary>
    public string SigningKeyFile { get; set; } = Path.Combine("auth", "signing.key");

    /// <summary>How long the admin token issued at start stays valid (local mode).</summary>
    public TimeSpan AdminTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long an invite stays valid when its request names no lifetime.</summary>
    public TimeSpan InviteLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The longest lifetime an invite may ask for.</summary>
    public TimeSpan MaxInviteLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long the token a join returns stays valid.</summary>
    public TimeSpan ParticipantTokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Whether this is <c>oidc</c> mode (checked: any other value than <c>local</c> or <c>oidc</c> stops the host).</summary>
    public bool IsOidc => Mode switch
    {
        "local" => false,
        "oidc" when !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(Audience) => true,
        "oidc" => throw new InvalidOperationException("WorldCluster:Auth:Mode is 'oidc': set WorldCluster:Auth:Authority and WorldCluster:Auth:Audience"),
        _ => throw new InvalidOperationException($"WorldCluster:Auth:Mode is '{Mode}'; use 'local' or 'oidc'"),
    };
}
