using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using WorldCluster.Models.Onnx;

namespace WorldCluster.Benchmarks;

/// <summary>
/// Measures which batch sizes give a graph bit-identical outputs for one sample (docs/model-packages.md, "Batch
/// invariance of ONNX Runtime"): the sample goes first, then last, into batches filled with other random rows, and the
/// sample's rows of every output are compared. Floats are drawn from [-1, 1), integers from {0, 1}, which every
/// state of a small world model accepts.
/// </summary>
internal static class OnnxBatchInvariance
{
    /// <summary>The classes of batch sizes (as "B" for the sample first, "B@last" for it last) whose outputs agree, largest first.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Measure(string graph, OnnxRuntimeSettings settings, IReadOnlyList<int> sizes)
    {
        using var options = settings.CreateSessionOptions();
        using var session = new InferenceSession(graph, options);
        var inputs = session.InputMetadata.ToList();
        var outputs = session.OutputMetadata.Keys.ToList();
        var sample = inputs.Select(i => Row(i.Value, new Random(1))).ToList();
        var classes = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var batch in sizes)
        {
            foreach (var at in batch == 1 ? [0] : new[] { 0, batch - 1 })
            {
                var values = new List<OrtValue>();
                try
                {
                    var random = new Random(batch * 31 + at);
                    for (var i = 0; i < inputs.Count; i++)
                    {
                        values.Add(Batch(inputs[i].Value, sample[i], batch, at, random));
                    }
                    using var run = new RunOptions();
                    using var results = session.Run(run, inputs.Select(i => i.Key).ToList(), values, outputs);
                    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                    foreach (var result in results)
                    {
                        var bytes = result.GetTensorMutableRawData();
                        var row = bytes.Length / batch;
                        hash.AppendData(bytes.Slice(at * row, row));
                    }
                    var key = Convert.ToHexString(hash.GetHashAndReset());
                    if (!classes.TryGetValue(key, out var members))
                    {
                        classes[key] = members = [];
                    }
                    members.Add(at == 0 ? $"{batch}" : $"{batch}@last");
                }
                finally
                {
                    values.ForEach(v => v.Dispose());
                }
            }
        }
        return [.. classes.Values.OrderByDescending(c => c.Count)];
    }

    // One row of an input (its shape after the batch dimension; symbolic sizes there are taken as 1).
    private static byte[] Row(NodeMetadata input, Random random)
    {
        var elements = (int)input.Dimensions[1..].Aggregate(1L, (a, d) => a * Math.Max(d, 1));
        return input.ElementDataType switch
        {
            TensorElementType.Float => Bytes(Enumerable.Range(0, elements).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()),
            TensorElementType.Int64 => Bytes(Enumerable.Range(0, elements).Select(_ => (long)random.Next(2)).ToArray()),
            TensorElementType.Int32 => Bytes(Enumerable.Range(0, elements).Select(_ => random.Next(2)).ToArray()),
            TensorElementType.UInt8 => [.. Enumerable.Range(0, elements).Select(_ => (byte)random.Next(2))],
            var other => throw new ArgumentException($"input of type {other}: only float32, int64, int32 and uint8 inputs are measured"),
        };
    }

    // A batch in ONNX Runtime's own (aligned) memory, the sample's row at `at`, random rows elsewhere.
    private static OrtValue Batch(NodeMetadata input, byte[] sample, int batch, int at, Random random)
    {
        long[] shape = [batch, .. input.Dimensions[1..].Select(d => (long)Math.Max(d, 1))];
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, input.ElementDataType, shape);
        var data = value.GetTensorMutableRawData();
        for (var row = 0; row < batch; row++)
        {
            (row == at ? sample : Row(input, random)).CopyTo(data.Slice(row * sample.Length, sample.Length));
        }
        return value;
    }

    private static byte[] Bytes<T>(T[] values)
        where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
