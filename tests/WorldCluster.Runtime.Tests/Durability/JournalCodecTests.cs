using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Durability;
using WorldCluster.Runtime.Storage;

namespace WorldCluster.Runtime.Tests.Durability;

public sealed class JournalCodecTests
{
    private static readonly StateTensorSpec[] Specs = [new("x", StateDType.Int32, [2])];
    private static readonly string Digest = new('a', 64);

    [Fact]
    public void Records_round_trip_with_and_without_state()
    {
        var state = new WorldState([new StateTensor("x", StateDType.Int32, [2], [1, 0, 0, 0, 2, 0, 0, 0])]);
        JournalRecord[] records =
        [
            new TickRecord(1, [1, 2, 3], Digest, null, null),
            new FenceRecord(Guid.NewGuid(), 1),
            new TickRecord(2, [0], Digest, state, [9, 9, 9]),
        ];
        var data = records.SelectMany(JournalCodec.Encode).ToArray();
        var tail = new JournalTail();

        var decoded = JournalCodec.Decode("w-1", "seg", data, Specs, tail).ToList();

        Assert.False(tail.Torn);
        Assert.Equal(3, decoded.Count);
        var first = Assert.IsType<TickRecord>(decoded[0]);
        Assert.Equal([1, 2, 3], first.Actions);
        Assert.Equal(Digest, first.Digest);
        Assert.Equal(records[1], decoded[1]);
        var third = Assert.IsType<TickRecord>(decoded[2]);
        Assert.Equal(state.Tensors[0].Data, third.State!.Tensors[0].Data);
        Assert.Equal([9, 9, 9], third.Frame);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(12)]
    public void A_last_record_cut_short_is_a_torn_tail_and_the_records_before_it_stand(int keep)
    {
        var whole = JournalCodec.Encode(new TickRecord(1, [1], Digest, null, null));
        var torn = JournalCodec.Encode(new TickRecord(2, [2], Digest, null, null))[..keep];
        var tail = new JournalTail();

        var decoded = JournalCodec.Decode("w-1", "seg", [.. whole, .. torn], Specs, tail).ToList();

        Assert.True(tail.Torn);
        Assert.Equal(1, Assert.Single(decoded).As<TickRecord>().Tick);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_damaged_record_anywhere_is_corrupt(int which)
    {
        var records = new[] { JournalCodec.Encode(new TickRecord(1, [1], Digest, null, null)), JournalCodec.Encode(new TickRecord(2, [2], Digest, null, null)) };
        records[which][10] ^= 0x01;
        var data = records.SelectMany(r => r).ToArray();

        var e = Assert.Throws<CorruptWorldDataException>(() => JournalCodec.Decode("w-1", "seg", data, Specs, new JournalTail()).ToList());

        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
        Assert.Contains("w-1", e.Message, StringComparison.Ordinal);
    }
}

internal static class RecordCasts
{
    public static T As<T>(this JournalRecord record) where T : JournalRecord => Assert.IsType<T>(record);
}
