using WorldCluster.Models.Torch;
using static TorchSharp.torch;

namespace WorldCluster.Models.Tests.Native;

// Alone: a neighbour allocating or freeing tensors between two readings would blur the difference measured here.
[Collection(RunsAlone.Name)]
public sealed class NativeHeapTests
{
    [Fact]
    public void A_tensor_shows_in_the_native_heap_while_it_lives()
    {
        const long Bytes = 64L << 20;
        var before = NativeHeap.Read();
        Assert.NotNull(before); // glibc 2.36 here: mallinfo2 exists
        Assert.InRange(before.Value.InUse, 1, before.Value.Held);

        var tensor = zeros(Bytes / 4, ScalarType.Float32);
        var living = NativeHeap.Read()!.Value;
        tensor.Dispose();
        var after = NativeHeap.Read()!.Value;

        // Within a megabyte below and eight above: the runtime's own threads allocate and free a little meanwhile.
        Assert.InRange(living.InUse - before.Value.InUse, Bytes - (1L << 20), Bytes + (8L << 20));
        Assert.InRange(living.InUse - after.InUse, Bytes - (1L << 20), Bytes + (8L << 20));
        Assert.True(living.Held >= living.InUse, $"held {living.Held} < in use {living.InUse}");
    }
}
