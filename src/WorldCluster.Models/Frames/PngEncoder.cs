using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace WorldCluster.Models.Frames;

/// <summary>Encodes uint8 frames (channels first, as models return them) as PNG images.</summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>
    /// A PNG of a <c>[channels, height, width]</c> uint8 frame: 1 channel is grey, 3 are RGB, 4 are RGBA; 8 bits per
    /// sample, no interlacing, filter type 0 on every row.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> chw, int channels, int height, int width)
    {
        var colourType = channels switch
        {
            1 => (byte)0,
            3 => (byte)2,
            4 => (byte)6,
            _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "PNG frames have 1, 3 or 4 channels"),
        };
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        var plane = checked(height * width);
        if (chw.Length != checked(plane * channels))
        {
            throw new ArgumentException($"expected {plane * channels} bytes for [{channels}, {height}, {width}], got {chw.Length}", nameof(chw));
        }

        // Scanlines: a filter byte (0, none) and then the row's pixels with their channels interleaved.
        var stride = 1 + width * channels;
        var raw = new byte[checked(stride * height)];
        for (var y = 0; y < height; y++)
        {
            var line = raw.AsSpan(y * stride + 1, stride - 1);
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < channels; c++)
                {
                    line[x * channels + c] = chw[c * plane + y * width + x];
                }
            }
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 8;
        header[9] = colourType;

        using var png = new MemoryStream();
        png.Write(Signature);
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>CRC-32 (ISO 3309, the polynomial PNG and zlib use) of <paramref name="data"/>.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFu, data);

    private static void WriteChunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        png.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        png.Write(typeBytes);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, ~Update(Update(0xFFFFFFFFu, typeBytes), data));
        png.Write(word);
    }

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            table[n] = c;
        }
        return table;
    }
}
