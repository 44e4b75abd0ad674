using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Durability;

namespace WorldCluster.Runtime.Tests.Durability;

/// <summary>Ticks of more than 255 action words (structured spaces) get the wide record; shorter ones keep the old bytes.</summary>
public sealed class JournalWideRecordTests
{
    private static readonly StateTensorSpec[] Specs = [new("x", StateDType.Int32, [2])];
    private static readonly string Digest = new('b', 64);

    [Fact]
    public void A_tick_of_many_words_round_trips_with_its_exact_float_bits_and_a_short_one_keeps_kind_1()
    {
        var words = Enumerable.Range(0, 300).Select(i => BitConverter.SingleToInt32Bits(i * -0.1f)).ToArray();
        var wide = JournalCodec.Encode(new TickRecord(5, words, Digest, null, null));
        var narrow = JournalCodec.Encode(new TickRecord(6, [1, 2], Digest, null, null));

        Assert.Equal(3, wide[8]);
        Assert.Equal(1, narrow[8]);
        Assert.Equal(8 + 1 + 8 + 1 + (2 * 4) + 32 + 1, narrow.Length); // header, kind, tick, u8 count, words, digest, no state
        var decoded = JournalCodec.Decode("w-1", "seg", [.. wide, .. narrow], Specs, new JournalTail()).Cast<TickRecord>().ToList();
        Assert.Equal(words, decoded[0].Actions);
        Assert.Equal([1, 2], decoded[1].Actions);
    }
}
