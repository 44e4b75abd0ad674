using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WorldCluster.Silo.Tests.Reliability;

/// <summary>
/// Hostile bearer tokens for the gateway: missing, malformed, unsigned, wrongly signed, expired, not yet valid, for another
/// world, oversized. Each comes as a read request on a real world, so whatever the gateway does with it, the world must
/// not change. See <see cref="HostileTokenTests"/> for what is asserted before and after the gateway requires tokens.
/// </summary>
public static class HostileTokens
{
    /// <summary>The Authorization header values to try (null: none at all), each with what is wrong with it.</summary>
    public static IReadOnlyList<(string Name, string? Authorization)> Cases(string otherWorld) =>
    [
        ("no Authorization header", null),
        ("empty header", ""),
        ("scheme only", "Bearer"),
        ("scheme and space", "Bearer "),
        ("wrong scheme", "Basic YWRtaW46YWRtaW4="),
        ("lower-case scheme with garbage", "bearer garbage"),
        ("not a JWT", "Bearer not-a-token"),
        ("two parts", $"Bearer {B64("{\"alg\":\"HS256\"}")}.{B64("{}")}"),
        ("four parts", "Bearer a.b.c.d"),
        ("bad base64", "Bearer !!!.@@@.###"),
        ("header not JSON", $"Bearer {B64("nope")}.{B64("{}")}.sig"),
        ("alg none", Jwt("""{"alg":"none","typ":"JWT"}""", Claims(role: "admin", exp: +3600), signed: false)),
        ("wrong key", Jwt("""{"alg":"HS256","typ":"JWT"}""", Claims(role: "admin", exp: +3600))),
        ("expired", Jwt("""{"alg":"HS256","typ":"JWT"}""", Claims(role: "admin", exp: -3600))),
        ("not yet valid", Jwt("""{"alg":"HS256","typ":"JWT"}""", Claims(role: "admin", exp: +7200, nbf: +3600))),
        ("another world's player", Jwt("""{"alg":"HS256","typ":"JWT"}""", Claims(role: "player", exp: +3600, world: otherWorld))),
        ("RS256 header with an HMAC signature", Jwt("""{"alg":"RS256","typ":"JWT"}""", Claims(role: "admin", exp: +3600))),
        ("oversized token", "Bearer " + new string('a', 16 * 1024)),
        ("two tokens", "Bearer a, Bearer b"),
    ];

    private static string Claims(string role, int exp, int? nbf = null, string? world = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new StringBuilder($$"""{"sub":"hostile","role":"{{role}}","exp":{{now + exp}},"iat":{{now}}""");
        if (nbf is { } notBefore)
        {
            claims.Append(CultureInfo.InvariantCulture, $",\"nbf\":{now + notBefore}");
        }
        if (world is not null)
        {
            claims.Append(CultureInfo.InvariantCulture, $",\"world\":\"{world}\"");
        }
        return claims.Append('}').ToString();
    }

    // Signed with a random key the gateway cannot know, or not signed at all.
    private static string Jwt(string header, string claims, bool signed = true)
    {
        var body = $"{B64(header)}.{B64(claims)}";
        var signature = signed ? B64(HMACSHA256.HashData(RandomNumberGenerator.GetBytes(32), Encoding.ASCII.GetBytes(body))) : "";
        return $"Bearer {body}.{signature}";
    }

    private static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
