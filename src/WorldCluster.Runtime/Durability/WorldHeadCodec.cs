using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Durability;

/// <summary>
/// Reads and writes world heads as versioned, checksummed JSON:
/// <c>{"format": "worldcluster.head", "formatVersion": 1, "sha256": "…", "head": {…}}</c>, where <c>sha256</c> covers the
/// exact bytes of <c>head</c>. Anything unreadable is reported as corrupt, never guessed.
/// </summary>
public static class WorldHeadCodec
{
    /// <summary>The format name in every head.</summary>
    public const string FormatName = "worldcluster.head";

    /// <summary>The format version this build writes and reads.</summary>
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Encodes a head.</summary>
    public static byte[] Encode(WorldHead head)
    {
        var body = JsonSerializer.Serialize(head, Json);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        return Encoding.UTF8.GetBytes($"{{\"format\":\"{FormatName}\",\"formatVersion\":{CurrentVersion},\"sha256\":\"{sha}\",\"head\":{body}}}");
    }

    /// <summary>Decodes a head, checking format, version, checksum and consistency.</summary>
    /// <exception cref="CorruptWorldDataException">The head is unreadable, of another format or version, damaged, or inconsistent.</exception>
    public static WorldHead Decode(string worldId, ReadOnlySpan<byte> data)
    {
        WorldHead? head;
        try
        {
            using var document = JsonDocument.Parse(data.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String
                || format.GetString() != FormatName)
            {
                throw new CorruptWorldDataException(worldId, $"the world head is not a {FormatName} document");
            }
            if (!root.TryGetProperty("formatVersion", out var version) || version.ValueKind != JsonValueKind.Number
                || !version.TryGetInt32(out var v) || v != CurrentVersion)
            {
                throw new CorruptWorldDataException(worldId,
                    $"the world head has format version {(root.TryGetProperty("formatVersion", out var found) ? found.GetRawText() : "(none)")}; this build reads version {CurrentVersion} only");
            }
            if (!root.TryGetProperty("head", out var body) || !root.TryGetProperty("sha256", out var sha) || sha.ValueKind != JsonValueKind.String)
            {
                throw new CorruptWorldDataException(worldId, "the world head is incomplete");
            }
            var raw = body.GetRawText();
            if (Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(raw))) != sha.GetString())
            {
                throw new CorruptWorldDataException(worldId, "the world head fails its checksum");
            }
            head = JsonSerializer.Deserialize<WorldHead>(raw, Json);
        }
        catch (JsonException e)
        {
            throw new CorruptWorldDataException(worldId, $"the world head is not valid JSON ({e.Message})", e);
        }
        if (head is null || head.WorldId != worldId || head.Snapshots is null || head.Snapshots.Count == 0
            || string.IsNullOrEmpty(head.Model) || string.IsNullOrEmpty(head.ModelVersion) || head.Players < 1 || head.TickHz < 0)
        {
            throw new CorruptWorldDataException(worldId, "the world head is incomplete or names another world");
        }
        for (var i = 1; i < head.Snapshots.Count; i++)
        {
            if (head.Snapshots[i].Tick < head.Snapshots[i - 1].Tick)
            {
                throw new CorruptWorldDataException(worldId, "the world head's snapshots are out of order");
            }
        }
        return head;
    }
}
