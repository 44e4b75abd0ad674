using System.Security.Cryptography;

namespace WorldCluster.Silo.Auth;

/// <summary>The gateway's HMAC-SHA256 signing key: 256 random bits, base64 in a file only its owner may read.</summary>
public static class SigningKeyFile
{
    /// <summary>Key length in bytes.</summary>
    public const int KeyBytes = 32;

    /// <summary>Reads the key at <paramref name="path"/>, creating it on first start; a damaged file stops the host rather than being replaced.</summary>
    public static byte[] LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            try
            {
                Create(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot read the signing key {path}: {e.Message}", e);
        }
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException(
                $"the signing key {path} is not base64; restore it, or delete it to make a new one (every token issued so far stops working)", e);
        }
        if (key.Length < KeyBytes)
        {
            throw new InvalidOperationException(
                $"the signing key {path} has {key.Length} bytes, fewer than {KeyBytes}; restore it, or delete it to make a new one (every token issued so far stops working)");
        }
        return key;
    }

    private static void Create(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var file = new FileStream(path, options);
        using var writer = new StreamWriter(file);
        writer.WriteLine(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)));
        writer.Flush();
        file.Flush(flushToDisk: true);
    }
}
