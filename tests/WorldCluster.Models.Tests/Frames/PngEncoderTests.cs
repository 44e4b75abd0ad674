using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using WorldCluster.Models.Frames;

namespace WorldCluster.Models.Tests.Frames;

/// <summary>The PNG encoder, checked by decoding what it writes with an independent reader.</summary>
public sealed class PngEncoderTests
{
    [Theory]
    [InlineData(3, 5, 7)]
    [InlineData(3, 64, 64)]
    [InlineData(1, 3, 9)]
    [InlineData(4, 8, 2)]
    public void A_frame_round_trips_through_png(int channels, int height, int width)
    {
        var chw = new byte[channels * height * width];
        new Random(channels * 1000 + height * 10 + width).NextBytes(chw);

        var png = PngEncoder.Encode(chw, channels, height, width);
        var (header, pixels) = Decode(png);

        Assert.Equal((width, height, 8, channels switch { 1 => 0, 3 => 2, _ => 6 }, 0, 0, 0), header);
        Assert.Equal(chw, pixels);
    }

    [Fact]
    public void The_crc_is_the_png_crc()
    {
        // Known values: the CRC-32 of "123456789" and of the bare IEND chunk type every PNG ends with.
        Assert.Equal(0xCBF43926u, PngEncoder.Crc32("123456789"u8));
        Assert.Equal(0xAE426082u, PngEncoder.Crc32("IEND"u8));
        var png = PngEncoder.Encode(new byte[3], 3, 1, 1);
        Assert.Equal([0xAE, 0x42, 0x60, 0x82], png[^4..]);
    }

    [Fact]
    public void Wrong_sizes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(new byte[10], 3, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => PngEncoder.Encode(new byte[8], 2, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => PngEncoder.Encode([], 3, 0, 2));
    }

    /// <summary>Reads an 8-bit, non-interlaced PNG back into CHW bytes, checking structure, CRCs and filter bytes.</summary>
    private static ((int Width, int Height, int Depth, int Colour, int Compression, int Filter, int Interlace) Header, byte[] Chw) Decode(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var chunks = new List<(string Type, byte[] Data)>();
        for (var at = 8; at < png.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
            var type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png[(at + 8)..(at + 8 + length)];
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
            Assert.Equal(BitwiseCrc32(png.AsSpan(at + 4, 4 + length)), crc);
            chunks.Add((type, data));
            at += 12 + length;
        }
        Assert.Equal("IHDR", chunks[0].Type);
        Assert.Equal("IEND", chunks[^1].Type);
        Assert.Empty(chunks[^1].Data);
        Assert.All(chunks[1..^1], c => Assert.Equal("IDAT", c.Type));

        var ihdr = chunks[0].Data;
        var width = (int)BinaryPrimitives.ReadUInt32BigEndian(ihdr);
        var height = (int)BinaryPrimitives.ReadUInt32BigEndian(ihdr.AsSpan(4));
        var header = (width, height, (int)ihdr[8], (int)ihdr[9], (int)ihdr[10], (int)ihdr[11], (int)ihdr[12]);
        var channels = ihdr[9] switch { 0 => 1, 2 => 3, 6 => 4, _ => throw new InvalidDataException("colour type") };

        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream([.. chunks[1..^1].SelectMany(c => c.Data)]), CompressionMode.Decompress))
        {
            zlib.CopyTo(inflated);
        }
        var raw = inflated.ToArray();
        var stride = 1 + width * channels;
        Assert.Equal(stride * height, raw.Length);
        var chw = new byte[channels * height * width];
        for (var y = 0; y < height; y++)
        {
            Assert.Equal(0, raw[y * stride]);
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < channels; c++)
                {
                    chw[c * height * width + y * width + x] = raw[y * stride + 1 + x * channels + c];
                }
            }
        }
        return (header, chw);
    }

    private static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
            }
        }
        return ~crc;
    }
}
