using System.Buffers.Binary;
using WorldCluster.Contracts.Plane;

namespace WorldCluster.Contracts.Tests;

public sealed class PlaneCodecTests
{
    private static PlaneStep Step() => new(9, true, 2, [1, 2, 3, 4], [7, 3], [PlaneOp.Step, PlaneOp.Observe]);

    [Fact]
    public void A_step_survives_encoding_and_decoding_little_endian_at_the_documented_offsets()
    {
        var message = Step().Encode();

        Assert.Equal(PlaneStep.Size(2, 2), message.Length);
        Assert.Equal("WCAP"u8.ToArray(), message[..4]);
        Assert.Equal((1, 0x02, 9u, 2u), (message[4], message[5], BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(8)), BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(12))));
        Assert.Equal(3, BinaryPrimitives.ReadInt64LittleEndian(message.AsSpan(24 + 16)));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(24 + 32 + 4)));
        var decoded = PlaneStep.Decode(message, PlaneHeader.Read(message, out _)!.Value, out var problem);
        Assert.Null(problem);
        Assert.Equal((9u, true, 2), (decoded!.RequestId, decoded.Frames, decoded.Components));
        Assert.Equal([1L, 2, 3, 4], decoded.Actions);
        Assert.Equal([7, 3], decoded.EnvIds);
        Assert.Equal([PlaneOp.Step, PlaneOp.Observe], decoded.Ops);
    }

    [Theory]
    [InlineData(0, 0x57, "magic")]
    [InlineData(4, 2, "version 2")]
    [InlineData(6, 2, "unknown bits")]
    [InlineData(16, 9, "action kind 9")]
    [InlineData(18, 0, "components 0")]
    [InlineData(20, 1, "reserved")]
    public void A_step_with_a_wrong_field_is_refused_naming_it(int offset, byte value, string named)
    {
        var message = Step().Encode();
        message[offset] = value == message[offset] ? (byte)(value + 1) : value;

        var header = PlaneHeader.Read(message, out var problem);
        if (header is { } h)
        {
            Assert.Null(PlaneStep.Decode(message, h, out problem));
        }
        Assert.Contains(named, problem);
    }

    [Theory]
    [InlineData(-1, "must be")]
    [InlineData(1, "must be")]
    public void A_step_of_the_wrong_length_is_refused(int extra, string named)
    {
        var message = Step().Encode();
        message = extra < 0 ? message[..^1] : [.. message, 0];
        Assert.Null(PlaneStep.Decode(message, PlaneHeader.Read(message, out _)!.Value, out var problem));
        Assert.Contains(named, problem);
    }

    [Fact]
    public void Duplicate_or_out_of_range_env_ids_and_unknown_ops_are_refused()
    {
        Assert.Contains("appears twice", Problem(new PlaneStep(1, true, 1, [0, 0], [4, 4], [PlaneOp.Step, PlaneOp.Step]).Encode()));
        Assert.Contains("not below 1024", Problem(new PlaneStep(1, true, 1, [0], [1024], [PlaneOp.Step]).Encode()));
        var badOp = new PlaneStep(1, true, 1, [0], [1], [PlaneOp.Step]).Encode();
        badOp[^1] = 2;
        Assert.Contains("ops[0] = 2", Problem(badOp));
        var tooMany = new PlaneStep(1, true, 1, [0], [1], [PlaneOp.Step]).Encode();
        BinaryPrimitives.WriteUInt32LittleEndian(tooMany.AsSpan(12), 1025);
        Assert.Null(PlaneHeader.Read(tooMany, out var problem));
        Assert.Contains("over the limit", problem);
    }

    [Fact]
    public void A_bind_survives_encoding_and_refuses_bad_ids()
    {
        var message = PlaneBind.Encode(4, [new PlaneBindEntry(2, "w-one", 100), new PlaneBindEntry(0, "w-two")]);
        var entries = PlaneBind.Decode(message, PlaneHeader.Read(message, out _)!.Value, out var problem);
        Assert.Null(problem);
        Assert.Equal([new PlaneBindEntry(2, "w-one", 100), new PlaneBindEntry(0, "w-two")], entries!);

        var upper = PlaneBind.Encode(4, [new PlaneBindEntry(0, "W-ONE")]);
        Assert.Null(PlaneBind.Decode(upper, PlaneHeader.Read(upper, out _)!.Value, out problem));
        Assert.Contains("not a world id", problem);
        Assert.Null(PlaneBind.Decode(message.AsSpan()[..^1], PlaneHeader.Read(message, out _)!.Value, out problem));
        Assert.Contains("runs past", problem);
    }

    [Fact]
    public void A_result_reads_back_what_was_set()
    {
        var result = PlaneResult.Create(5, 2, [3, 2, 2], 2, frames: true);
        var digest = new string('a', 62) + "0f";
        result.Set(1, 42, 40, [3, -1], truncated: true, digest, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        result.Fail(0, 404);

        var read = PlaneResult.Read(result.Message);
        Assert.Equal((404, 0, 42L), (read.Status(0), read.Status(1), read.Tick(1)));
        Assert.Equal([3f, -1f], read.Rewards(1).ToArray());
        Assert.True(read.Truncated(1));
        Assert.Equal(digest, read.Digest(1));
        Assert.Equal(12, read.Frame(1)[^1]);
        Assert.Throws<FormatException>(() => PlaneResult.Read(result.Message[..^1]));
    }

    private static string? Problem(byte[] message)
    {
        Assert.Null(PlaneStep.Decode(message, PlaneHeader.Read(message, out _)!.Value, out var problem));
        return problem;
    }
}
