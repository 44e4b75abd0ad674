namespace WorldCluster.Silo.Tests.Reliability.Soak;

/// <summary>One reading of a silo process during a soak run, from its <c>/metrics</c> page.</summary>
/// <param name="At">Time since the load started.</param>
/// <param name="ResidentBytes">Process resident memory (<c>process_working_set_bytes</c>).</param>
/// <param name="GcHeapBytes">Managed heap (<c>dotnet_total_memory_bytes</c>).</param>
/// <param name="Threads">Process threads (<c>process_num_threads</c>).</param>
/// <param name="LiveTensors">TorchSharp tensors alive (<c>worldcluster_torch_live_tensors</c>).</param>
/// <param name="Ticks">Ticks computed so far (<c>worldcluster_ticks_total</c>).</param>
/// <param name="NativeInUseBytes">Bytes in live C-allocator allocations (<c>worldcluster_native_heap_in_use_bytes</c>).</param>
/// <param name="NativeHeldBytes">Bytes the C allocator holds from the OS (<c>worldcluster_native_heap_held_bytes</c>).</param>
/// <param name="TensorsBetweenBatches">Tensors alive the last time no batch ran (<c>worldcluster_torch_live_tensors_between_batches</c>).</param>
public sealed record SoakSample(TimeSpan At, double ResidentBytes, double GcHeapBytes, double Threads, double LiveTensors, double Ticks,
    double NativeInUseBytes, double NativeHeldBytes, double TensorsBetweenBatches);
