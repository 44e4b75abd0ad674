using static TorchSharp.torch;

namespace WorldCluster.Models.Torch;

/// <summary>
/// The tensor arithmetic whose TorchSharp spelling makes a Scalar for one call (see <see cref="Scalars"/>), spelled
/// with kept Scalars instead. <c>a + b</c> and <c>arange(n)</c> are the common ones; <c>-</c> between tensors is safe.
/// </summary>
public static class TensorOps
{
    /// <summary><c>a + b</c>, elementwise with broadcasting.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, Scalars.One);

    /// <summary><c>a + value</c>.</summary>
    public static Tensor Plus(this Tensor a, long value) => a.add(Scalars.Of(value), Scalars.One);

    /// <summary><c>a + value</c> for real tensors.</summary>
    public static Tensor Plus(this Tensor a, double value) => a.add(Scalars.Of(value), Scalars.One);

    /// <summary><c>a += b</c> in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, Scalars.One);

    /// <summary><c>a += value</c> in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, long value) => a.add_(Scalars.Of(value), Scalars.One);

    /// <summary><c>a * value</c>.</summary>
    public static Tensor Times(this Tensor a, long value) => a.mul(Scalars.Of(value));

    /// <summary><c>a * value</c> for real tensors.</summary>
    public static Tensor Times(this Tensor a, double value) => a.mul(Scalars.Of(value));

    /// <summary>int64 <c>[0, 1, …, count - 1]</c> on <paramref name="device"/>.</summary>
    public static Tensor Range(long count, Device? device = null) =>
        arange(Scalars.Zero, Scalars.Of(count), Scalars.One, ScalarType.Int64, device);
}
