namespace WorldCluster.Runtime.Storage;

/// <summary>A world head's bytes and the ETag to pass to the next conditional write.</summary>
public sealed record StoredHead(byte[] Content, string ETag);
