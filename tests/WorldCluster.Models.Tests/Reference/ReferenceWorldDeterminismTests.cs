using System.Security.Cryptography;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Reference;
using static WorldCluster.Models.Tests.Reference.ReferenceTestKit;

namespace WorldCluster.Models.Tests.Reference;

/// <summary>Seeds, actions and the in-state RNG fully determine a world; nothing else does.</summary>
public sealed class ReferenceWorldDeterminismTests
{
    private static readonly WorldSeed[] Seeds = [new(11, 4), new(12, 2), new(13, 1)];

    [Fact]
    public void Equal_seeds_and_actions_give_identical_states_and_frames_for_200_ticks()
    {
        var first = Trajectory(Seeds, ticks: 200, actionSeed: 5);
        var second = Trajectory(Seeds, ticks: 200, actionSeed: 5);

        Assert.Equal(first, second);
        // The worlds really evolve: almost every tick gives a new digest.
        Assert.True(first.Distinct().Count() > 150, $"only {first.Distinct().Count()} distinct ticks");
    }

    [Fact]
    public void Different_actions_give_different_trajectories()
    {
        var first = Trajectory(Seeds, ticks: 10, actionSeed: 5);
        var second = Trajectory(Seeds, ticks: 10, actionSeed: 6);

        Assert.Equal(first[0], second[0]);
        Assert.NotEqual(first[^1], second[^1]);
    }

    [Fact]
    public void Different_seeds_give_different_worlds()
    {
        using var world = new ReferenceWorld();
        var seeds = Enumerable.Range(0, 8).Select(i => new WorldSeed(1000 + i, 2)).ToArray();

        var (states, _) = Init(world, seeds);

        Assert.Equal(seeds.Length, states.Select(s => Convert.ToBase64String(s.Tensors[0].Data)).Distinct().Count());
        Assert.Equal(seeds.Length, states.Select(s => Convert.ToHexString(Hash(s))).Distinct().Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Generated_worlds_follow_the_layout_rules(int players)
    {
        for (long seed = 0; seed < 25; seed++)
        {
            var state = ReferenceWorldGenerator.Generate(new WorldSeed(seed * 7919, players));

            Assert.Equal(ReferenceWorldGenerator.CratesPerRoom * ReferenceGeometry.RoomCount, state.Count(CellType.Crate));
            Assert.Equal(ReferenceWorldGenerator.GemsPerRoom * ReferenceGeometry.RoomCount, state.Count(CellType.Gem));
            Assert.Equal(2 * ReferenceWorldGenerator.ClosedDoorways, state.Count(CellType.ClosedDoor));
            Assert.Equal(2 * (4 - ReferenceWorldGenerator.ClosedDoorways), state.Count(CellType.OpenDoor));
            for (var i = 0; i < ReferenceGeometry.GridSize; i++)
            {
                Assert.Equal(CellType.Wall, state[0, i]);
                Assert.Equal(CellType.Wall, state[ReferenceGeometry.GridSize - 1, i]);
                Assert.Equal(CellType.Wall, state[i, 0]);
                Assert.Equal(CellType.Wall, state[i, ReferenceGeometry.GridSize - 1]);
            }
            var starts = Enumerable.Range(0, players).Select(state.Player).ToArray();
            Assert.Equal(players, starts.Distinct().Count());
            Assert.All(starts, p => Assert.Equal(CellType.Floor, state[p]));
            Assert.Single(starts.Select(p => p.Room).Distinct());
            for (var slot = 0; slot < ReferenceGeometry.MaxPlayers; slot++)
            {
                Assert.Equal(slot < players, state.IsActive(slot));
                Assert.Equal(0, state.Score(slot));
            }
            Assert.InRange(state.Rng, 0, int.MaxValue);
        }
    }

    [Fact]
    public void Generation_and_stepping_are_pinned_bit_for_bit()
    {
        // Digests of this implementation's output: a change here means every stored world would replay differently.
        var generated = Convert.ToHexString(Hash(ReferenceWorldGenerator.Generate(new WorldSeed(42, 4)).ToWorldState()));
        var stepped = Trajectory([new WorldSeed(42, 4)], ticks: 100, actionSeed: null)[^1];

        Assert.Equal("2E39C206913B8A965E34C1A2B3980FE5BC4DB426A5440ED689BD872D96F72D49", generated);
        Assert.Equal("FA45A97D32EBD730C243C535D929E72042C81E5BC9DDDD21A33384FFD2759C3D", stepped);
    }

    [Fact]
    public void The_rng_advances_by_two_lcg_draws_every_tick()
    {
        using var world = new ReferenceWorld();
        var state = ReferenceWorldGenerator.Generate(new WorldSeed(3, 1));

        for (var tick = 0; tick < 10; tick++)
        {
            var before = state.Rng;
            (state, _) = Step(world, state, PlayerAction.Noop);
            Assert.Equal(Lcg(Lcg(before)), state.Rng);
        }
    }

    [Fact]
    public void A_gem_respawns_where_the_rng_says_on_free_floor()
    {
        using var world = new ReferenceWorld();
        var (rng, spot) = SpawningRng();
        var start = QuietRooms(new GridPosition(5, 5));
        start.Rng = rng;

        var (next, _) = Step(world, start, PlayerAction.Noop);

        Assert.Equal(CellType.Gem, next[spot]);
        Assert.Equal(1, next.Count(CellType.Gem));
    }

    [Fact]
    public void A_gem_does_not_respawn_under_a_player_or_beyond_the_cap()
    {
        using var world = new ReferenceWorld();
        var (rng, spot) = SpawningRng();
        var underPlayer = QuietRooms(spot);
        underPlayer.Rng = rng;
        var full = QuietRooms(new GridPosition(5, 5));
        full.Rng = rng;
        for (var i = 0; i < ReferenceGeometry.GemCap; i++)
        {
            full[17 + i / 12, 17 + i % 12] = CellType.Gem;
        }

        Assert.Equal(CellType.Floor, Step(world, underPlayer, PlayerAction.Noop).State[spot]);
        Assert.Equal(CellType.Floor, Step(world, full, PlayerAction.Noop).State[spot]);
        Assert.Equal(ReferenceGeometry.GemCap, Step(world, full, PlayerAction.Noop).State.Count(CellType.Gem));
    }

    [Fact]
    public void Worlds_change_even_when_nobody_acts()
    {
        using var world = new ReferenceWorld();
        WorldSeed[] seeds = [new(21, 1), new(22, 2), new(23, 3), new(24, 4)];
        var (states, _) = Init(world, seeds);
        var start = states.Select(ReferenceWorldState.From).ToArray();
        var noop = seeds.Select(_ => new long[ReferenceGeometry.MaxPlayers]).ToArray();

        var current = states;
        for (var tick = 0; tick < 500; tick++)
        {
            (current, _) = StepBatch(world, current, noop);
        }

        for (var w = 0; w < seeds.Length; w++)
        {
            var end = ReferenceWorldState.From(current[w]);
            Assert.True(end.Count(CellType.Gem) > start[w].Count(CellType.Gem), $"world {w} gained no gem");
            Assert.Equal(start[w].Player(0), end.Player(0));
        }
    }

    /// <summary>An RNG state that tries a spawn on the next tick, and the interior floor cell of room 0 it picks.</summary>
    private static (long Rng, GridPosition Spot) SpawningRng()
    {
        for (long candidate = 1; ; candidate++)
        {
            var first = Lcg(candidate);
            var cell = Lcg(first) >> 21;
            var spot = new GridPosition((int)(cell / 32), (int)(cell % 32));
            if (first >> 25 == 0 && spot.Room == 0 && spot.Row is > 0 and < 15 && spot.Col is > 0 and < 15 && spot != new GridPosition(5, 5))
            {
                return (candidate, spot);
            }
        }
    }

    /// <summary>SHA-256 of all states and frames after each tick (index 0: after Init).</summary>
    private static List<string> Trajectory(WorldSeed[] seeds, int ticks, int? actionSeed)
    {
        using var world = new ReferenceWorld();
        var random = actionSeed is int s ? new Random(s) : null;
        var (states, frames) = Init(world, seeds);
        var digests = new List<string> { Digest(states, frames) };
        for (var tick = 0; tick < ticks; tick++)
        {
            var actions = seeds.Select((_, w) => Enumerable.Range(0, ReferenceGeometry.MaxPlayers)
                .Select(slot => (long)(random?.Next(6) ?? (tick * 7 + w * 5 + slot * 3) % 6)).ToArray()).ToArray();
            (states, frames) = StepBatch(world, states, actions);
            digests.Add(Digest(states, frames));
        }
        return digests;
    }

    private static string Digest(WorldState[] states, byte[][] frames)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var state in states)
        {
            state.AppendTo(hash);
        }
        foreach (var frame in frames)
        {
            hash.AppendData(frame);
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
