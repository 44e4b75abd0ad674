using System.Text.Json;

namespace WorldCluster.Contracts.Tests;

/// <summary>Structured actions read into words exactly, and every wrong value is refused naming its field.</summary>
public sealed class ActionWordsTests
{
    // {keys: W A S D Space (latest), mouse: dx dy in [-100, 100] (sum)}
    private static readonly ActionSpaceInfo KeysAndMouse = new("dict", 0, [],
    [
        new("keys", "keys", ["W", "A", "S", "D", "Space"], 5, null, null, "latest"),
        new("mouse", "box", ["dx", "dy"], 2, [-100, -100], [100, 100], "sum"),
    ]);

    private static readonly ActionSpaceInfo Steering = new("box", 0, [], [new("box", "box", ["throttle", "steer"], 2, [-1, -1], [1, 1], "latest")]);

    [Fact]
    public void A_dict_action_becomes_key_bits_and_the_exact_float_bits_of_the_mouse()
    {
        float dx = 0.1f, dy = -1f / 3;
        var body = JsonSerializer.Serialize(new StepBody([PlayerAction.Dict(("keys", PlayerAction.Keys("W", "Space")), ("mouse", PlayerAction.Box(dx, dy))), PlayerAction.Dict()]), WireJson.Options);
        var read = JsonSerializer.Deserialize<StepBody>(body, WireJson.Options)!;

        Assert.Null(ActionWords.Parse(JsonSerializer.SerializeToElement(read.Actions), 2, KeysAndMouse, out var words));

        Assert.Equal(14, words.Length);
        Assert.Equal([1, 0, 0, 0, 1], words[..5]);
        Assert.Equal((BitConverter.SingleToInt32Bits(dx), BitConverter.SingleToInt32Bits(dy)), (words[5], words[6]));
        Assert.All(words[7..], w => Assert.Equal(0, w));
        Assert.Null(ActionWords.Check(words, 2, KeysAndMouse));
    }

    [Theory]
    [InlineData("[{\"mouse\": [\"NaN\", 0]}]", "actions[0].mouse[0] (dx) is \"NaN\"; expected a finite float32 number")]
    [InlineData("[{\"mouse\": [0, 1e39]}]", "actions[0].mouse[1] (dy) is 1e39; expected a finite float32 number")]
    [InlineData("[{\"mouse\": [0, 100.5]}]", "actions[0].mouse[1] (dy) is 100.5, outside [-100, 100]")]
    [InlineData("[{\"mouse\": [1, 2, 3]}]", "actions[0].mouse has 3 values; expected 2 numbers (dx, dy)")]
    [InlineData("[{\"keys\": [\"W\", \"Q\"]}]", "actions[0].keys[1] is \"Q\", not a key of the space (keys: W, A, S, D, Space)")]
    [InlineData("[{\"wheel\": 1}]", "actions[0].wheel is not a component of the action space (keys, mouse)")]
    [InlineData("[3]", "actions[0] is 3; expected an object of keys, mouse")]
    [InlineData("[{}, {}]", "expected 1 actions (one per player slot), got 2")]
    public void A_wrong_value_is_refused_naming_its_field(string actions, string expected)
    {
        using var doc = JsonDocument.Parse(actions);

        Assert.Equal(expected, ActionWords.Parse(doc.RootElement, 1, KeysAndMouse, out var words));
        Assert.Empty(words);
    }

    [Fact]
    public void A_box_space_takes_a_plain_array_and_a_keys_space_an_array_of_names()
    {
        using var box = JsonDocument.Parse("[[0.25, -1]]");
        Assert.Null(ActionWords.Parse(box.RootElement, 1, Steering, out var words));
        Assert.Equal([BitConverter.SingleToInt32Bits(0.25f), BitConverter.SingleToInt32Bits(-1f)], words);

        using var over = JsonDocument.Parse("[[0.25, -1.5]]");
        Assert.Equal("actions[0][1] (steer) is -1.5, outside [-1, 1]", ActionWords.Parse(over.RootElement, 1, Steering, out _));
    }

    [Fact]
    public void Packed_words_from_a_grain_client_are_checked_too()
    {
        int[] nan = [0, 0, 0, 0, 0, BitConverter.SingleToInt32Bits(float.NaN), 0];
        int[] key = [0, 2, 0, 0, 0, 0, 0];

        Assert.Equal("actions[0].mouse[0] (dx) is NaN; expected a finite float32 number", ActionWords.Check(nan, 1, KeysAndMouse));
        Assert.Equal("actions[0].keys[1] (A) is 2; a key is 0 or 1", ActionWords.Check(key, 1, KeysAndMouse));
        Assert.Equal("expected 7 action words (1 slots of 7), got 6", ActionWords.Check(key[..6], 1, KeysAndMouse));
    }

    [Fact]
    public void A_discrete_space_reads_integers_as_before()
    {
        var discrete = new ActionSpaceInfo("discrete", 6, ["noop", "up", "down", "left", "right", "interact"]);

        Assert.Null(ActionWords.Read([1, 5], "[1, 5]", 2, discrete, out var words));
        Assert.Equal([1, 5], words);
        Assert.Equal("action 6 of slot 1 is outside the action space (discrete, 0..5)", ActionWords.Read([1, 6], "[1, 6]", 2, discrete, out _));
        Assert.Equal("actions[1] is {\"keys\":[]}; expected an integer 0..5 (discrete)", ActionWords.Read([], "[1, {\"keys\":[]}]", 2, discrete, out _));
    }

    [Fact]
    public void A_box_value_that_JSON_cannot_carry_is_refused_by_the_client_before_sending()
    {
        Assert.Throws<ArgumentException>(() => PlayerAction.Box(float.PositiveInfinity));
        Assert.Throws<ArgumentException>(() => PlayerAction.Box(float.NaN));
    }
}
