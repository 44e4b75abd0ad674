using TorchSharp;

namespace WorldCluster.Models.Contract;

/// <summary>Element types a world state tensor may have (a stable subset of torch's, with stable numbers for storage).</summary>
public enum StateDType : byte
{
    /// <summary>8-bit unsigned integer.</summary>
    UInt8 = 1,
    /// <summary>32-bit signed integer.</summary>
    Int32 = 2,
    /// <summary>64-bit signed integer.</summary>
    Int64 = 3,
    /// <summary>32-bit IEEE float.</summary>
    Float32 = 4,
}

/// <summary>Conversions between <see cref="StateDType"/> and torch's scalar types.</summary>
public static class StateDTypeExtensions
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this StateDType type) => type switch
    {
        StateDType.UInt8 => 1,
        StateDType.Int32 => 4,
        StateDType.Int64 => 8,
        StateDType.Float32 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown state dtype"),
    };

    /// <summary>The torch scalar type.</summary>
    public static torch.ScalarType ToScalarType(this StateDType type) => type switch
    {
        StateDType.UInt8 => torch.ScalarType.Byte,
        StateDType.Int32 => torch.ScalarType.Int32,
        StateDType.Int64 => torch.ScalarType.Int64,
        StateDType.Float32 => torch.ScalarType.Float32,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown state dtype"),
    };
}
