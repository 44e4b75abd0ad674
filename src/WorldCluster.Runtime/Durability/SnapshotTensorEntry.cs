namespace WorldCluster.Runtime.Durability;

/// <summary>One tensor's header entry in a snapshot file: safetensors dtype name, shape and <c>[Begin, End)</c> in the data section.</summary>
internal sealed record SnapshotTensorEntry(string Name, string DType, long[] Shape, long Begin, long End);
