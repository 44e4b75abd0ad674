namespace WorldCluster.Runtime.Storage;

/// <summary>A world's snapshot bytes as stored, with the ETag to pass to the next conditional write.</summary>
/// <param name="Content">The encoded snapshot (see <see cref="WorldSnapshotFormat"/>).</param>
/// <param name="ETag">The stored version's opaque tag.</param>
public sealed record StoredSnapshot(byte[] Content, string ETag);
