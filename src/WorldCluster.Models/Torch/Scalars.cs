using System.Collections.Concurrent;
using TorchSharp;

namespace WorldCluster.Models.Torch;

/// <summary>
/// Scalars that live for the whole process, one per constant, for every number a tensor op takes.
/// </summary>
/// <remarks>
/// TorchSharp frees a <see cref="Scalar"/>'s native value in its finalizer. A Scalar made for one call (an implicit
/// conversion of a literal, or the <c>alpha</c> that <c>add</c> supplies by itself) is unreachable while libtorch is
/// still reading it, so a garbage collection in that window frees it mid-call and the memory is reused: libtorch then
/// sees another number or type ("alpha must not be a floating point number", a failed <c>Scalar::toFloat</c>). Measured
/// here: 16 wrong results in 3 threads × 40 s of <c>a + b</c> with a collector running, none with a kept Scalar.
/// Model code therefore passes only Scalars from this class. Use it for constants only: every distinct value stays.
/// </remarks>
public static class Scalars
{
    private static readonly ConcurrentDictionary<long, Scalar> Integers = new();
    private static readonly ConcurrentDictionary<double, Scalar> Reals = new();

    /// <summary>The integer 0.</summary>
    public static Scalar Zero { get; } = Of(0L);

    /// <summary>The integer 1, also the <c>alpha</c> that <see cref="TensorOps.Plus(torch.Tensor, torch.Tensor)"/> passes.</summary>
    public static Scalar One { get; } = Of(1L);

    /// <summary>Boolean false.</summary>
    public static Scalar False { get; } = false.ToScalar();

    /// <summary>Boolean true.</summary>
    public static Scalar True { get; } = true.ToScalar();

    /// <summary>The process-wide Scalar holding the integer <paramref name="value"/>.</summary>
    public static Scalar Of(long value) => Integers.GetOrAdd(value, static v => v.ToScalar());

    /// <summary>The process-wide Scalar holding the real <paramref name="value"/>.</summary>
    public static Scalar Of(double value) => Reals.GetOrAdd(value, static v => v.ToScalar());
}
