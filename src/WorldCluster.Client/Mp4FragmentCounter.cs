using System.Buffers.Binary;

namespace WorldCluster.Client;

/// <summary>
/// Counts the top-level <c>moof</c> boxes of a fragmented MP4 as its bytes go by: a recording has one fragment per frame
/// (docs/http-api.md#recordings), so the count is the frames received so far. Reads box headers only, never the media.
/// </summary>
internal sealed class Mp4FragmentCounter
{
    private readonly byte[] _header = new byte[16];
    private int _headerLength;
    private long _skip;

    /// <summary>The <c>moof</c> boxes seen so far.</summary>
    public long Fragments { get; private set; }

    /// <summary>Feeds the next bytes of the file.</summary>
    public void Add(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_skip > 0)
            {
                var skipped = (int)Math.Min(_skip, bytes.Length);
                _skip -= skipped;
                bytes = bytes[skipped..];
                continue;
            }
            var wanted = _headerLength < 8 ? 8 : 16;
            var taken = Math.Min(wanted - _headerLength, bytes.Length);
            bytes[..taken].CopyTo(_header.AsSpan(_headerLength));
            _headerLength += taken;
            bytes = bytes[taken..];
            if (_headerLength < 8)
            {
                continue;
            }
            long size = BinaryPrimitives.ReadUInt32BigEndian(_header);
            if (size == 1 && _headerLength < 16)
            {
                // A 64-bit size follows the type.
                continue;
            }
            var headerSize = size == 1 ? 16 : 8;
            if (size == 1)
            {
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(8));
            }
            if (size < headerSize)
            {
                throw new InvalidDataException($"an MP4 box of {size} bytes cannot be (size 0, to the end of the file, is not written by a recording)");
            }
            if (_header.AsSpan(4, 4).SequenceEqual("moof"u8))
            {
                Fragments++;
            }
            (_skip, _headerLength) = (size - headerSize, 0);
        }
    }
}
