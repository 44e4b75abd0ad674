using static TorchSharp.torch;

namespace WorldCluster.Models.Tests;

/// <summary>Proves libtorch loads on this machine (the GLIBCXX fix-up in build/ did its work).</summary>
public sealed class TorchNativeLoadTests
{
    [Fact]
    public void A_tensor_op_runs_on_the_cpu()
    {
        using var a = tensor(new float[] { 1, 2, 3 });
        using var b = a * 2;
        Assert.Equal(new float[] { 2, 4, 6 }, b.data<float>().ToArray());
    }
}
