using System.Security.Cryptography;

namespace WorldCluster.Contracts;

/// <summary>World ids: 1–64 characters of <c>[a-z0-9-]</c>, not starting with '-', so an id is always a safe file or blob name.</summary>
public static class WorldId
{
    /// <summary>The longest valid id.</summary>
    public const int MaxLength = 64;

    // Crockford's base32 alphabet in lower case: no i, l, o or u, so ids read back without ambiguity.
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    /// <summary>True when <paramref name="id"/> is a valid world id.</summary>
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength || id[0] == '-')
        {
            return false;
        }
        foreach (var c in id)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="id"/> is not a valid world id.</summary>
    public static void ThrowIfInvalid(string? id, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(id))] string? paramName = null)
    {
        if (!IsValid(id))
        {
            throw new ArgumentException($"'{id}' is not a valid world id (1-{MaxLength} characters of a-z, 0-9 and '-', not starting with '-').", paramName);
        }
    }

    /// <summary>A fresh random id: <c>w-</c> and 16 base32 characters (80 bits from a cryptographic RNG).</summary>
    public static string New()
    {
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        Span<char> id = stackalloc char[18];
        id[0] = 'w';
        id[1] = '-';
        // 80 bits read as 16 groups of 5 bits, most significant first.
        var bits = 0;
        var buffer = 0;
        var next = 2;
        foreach (var b in random)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                id[next++] = Alphabet[(buffer >> bits) & 31];
            }
        }
        return new string(id);
    }
}
