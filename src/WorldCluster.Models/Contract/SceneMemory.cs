using static TorchSharp.torch;

namespace WorldCluster.Models.Contract;

/// <summary>A batch's scene memory as a model reads it: every kept entry of every world.</summary>
/// <param name="Keys">int64 <c>[B, M]</c>; -1 marks an empty entry.</param>
/// <param name="Entries">The entries, <c>[B, M, ...entry shape]</c>; empty entries hold zeros.</param>
public sealed record SceneMemory(Tensor Keys, Tensor Entries);

/// <summary>
/// What a model asks the runtime to remember after a tick: one entry per world under its current key, or several
/// (keys <c>[B, K]</c>, entries <c>[B, K, ...entry shape]</c>, applied in column order, a key of -1 writing nothing).
/// </summary>
/// <param name="Keys">int64 <c>[B]</c> or <c>[B, K]</c>: the keys to write under.</param>
/// <param name="Entries">The entries to keep under those keys, <c>[B, ...entry shape]</c> or <c>[B, K, ...entry shape]</c>.</param>
public sealed record MemoryWrite(Tensor Keys, Tensor Entries);
