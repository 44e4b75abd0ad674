using WorldCluster.Abstractions;

namespace WorldCluster.Silo.Sessions.Streams;

/// <summary>Encodes one world's frames, in order, into one stream format; used by one thread at a time.</summary>
internal interface IFrameEncoder : IAsyncDisposable
{
    /// <summary>Encodes the next frame; a video encoder makes it a keyframe when <paramref name="keyframe"/> is set (image formats always do).</summary>
    ValueTask<EncodedPayload> EncodeAsync(WorldFrame frame, bool keyframe);
}

/// <summary>One encoded frame and whether it decodes on its own.</summary>
internal readonly record struct EncodedPayload(byte[] Bytes, bool Keyframe);
