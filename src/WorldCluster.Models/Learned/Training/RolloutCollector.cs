using WorldCluster.Models.Contract;
using WorldCluster.Models.Reference;

namespace WorldCluster.Models.Learned.Training;

/// <summary>
/// Plays reference worlds and records what the learned model must learn: per tick, the camera's window before and
/// after, the context and the actions; camera frames with their tokens; and remembered rooms hit by a spawn out of view.
/// Player 0 explores (see <see cref="ExplorerPolicy"/>) or acts at random, other players act at random, and a share of
/// ticks get a forced spawn candidate so the rare spawn rule is seen often enough. A share of the worlds with several
/// players are crowds: every player moves at random inside the room they started in, so players meet as they do when
/// people share a room, and ticks where two players in view stand close count several times.
/// </summary>
internal sealed partial class RolloutCollector
{
    private const int N = ReferenceGeometry.GridSize;
    private const int V = LearnedGeometry.View;
    private const int S = LearnedGeometry.Window;
    private const int P = ReferenceGeometry.MaxPlayers;
    private const int EpisodeTicks = 240;
    private const double ForcedSpawnShare = 0.05;
    private const double RandomActionShare = 0.2;
    private const int RareEventRepeats = 3;
    private const double CrowdShare = 0.5;
    private const double CrowdNoOpShare = 0.2;
    private const double CrowdInteractShare = 0.1;
    private const int ContactDistance = 2;

    private readonly Random _random;
    private readonly ExplorerPolicy _explorer = new();
    private readonly int _worlds;
    private long _nextSeed;

    /// <summary>Collects from <paramref name="worlds"/> parallel worlds; <paramref name="seed"/> fixes every world seed and choice.</summary>
    public RolloutCollector(long seed, int worlds = 64)
    {
        _random = new Random(unchecked((int)seed));
        _nextSeed = seed * 1_000_003;
        _worlds = worlds;
    }

    /// <summary>Fills <paramref name="dynamics"/> and <paramref name="rooms"/>, calling <paramref name="progress"/> with the share done.</summary>
    public void Collect(DynamicsSamples dynamics, RoomSamples rooms, Action<double>? progress = null)
    {
        using var batch = new ReferenceBatch([.. Enumerable.Range(0, _worlds).Select(_ => NewSeed())]);
        var age = new int[_worlds];
        var explores = new bool[_worlds];
        var crowds = new bool[_worlds];
        var goals = new int[_worlds];
        var context = new byte[_worlds][];
        for (var w = 0; w < _worlds; w++)
        {
            StartEpisode(batch, w, explores, crowds, goals, context, age, reset: false);
        }
        var actions = new long[_worlds * P];
        var before = new byte[N * N];
        var tick = 0;
        while (!dynamics.IsFull)
        {
            for (var w = 0; w < _worlds; w++)
            {
                if (crowds[w])
                {
                    ChooseCrowdActions(batch, w, actions);
                }
                else
                {
                    ChooseActions(batch, w, explores[w], ref goals[w], actions);
                }
                if (_random.NextDouble() < ForcedSpawnShare)
                {
                    batch.Rng[w] = ForcedSpawn(batch, w);
                }
            }
            var snapshot = (byte[])batch.Cells.Clone();
            var players = (long[])batch.Players.Clone();
            var rngBefore = (long[])batch.Rng.Clone();
            batch.Step(actions);

            for (var w = 0; w < _worlds && !dynamics.IsFull; w++)
            {
                Array.Copy(snapshot, w * N * N, before, 0, N * N);
                RecordTick(batch, w, before, players, rngBefore[w], actions, context[w], dynamics, rooms);
                if (tick % 4 == 0)
                {
                    RecordFrame(batch, w, rooms);
                }
                UpdateContext(batch, w, snapshot, players, context[w]);
                if (++age[w] >= EpisodeTicks)
                {
                    StartEpisode(batch, w, explores, crowds, goals, context, age, reset: true);
                }
            }
            tick++;
            progress?.Invoke((double)dynamics.Count / dynamics.Capacity);
        }
    }

    private WorldSeed NewSeed()
    {
        // One to four players, mostly one or two: the camera's room is where the learned model must be exact.
        var players = _random.NextDouble() switch { < 0.4 => 1, < 0.75 => 2, < 0.88 => 3, _ => 4 };
        return new WorldSeed(_nextSeed++, players);
    }

    private void StartEpisode(ReferenceBatch batch, int w, bool[] explores, bool[] crowds, int[] goals, byte[][] context, int[] age, bool reset)
    {
        if (reset)
        {
            batch.Reset(w, NewSeed());
        }
        explores[w] = _random.NextDouble() < 0.6;
        crowds[w] = ActivePlayers(batch, w) > 1 && _random.NextDouble() < CrowdShare;
        goals[w] = ExplorerPolicy.RandomGoal(batch, w, _random);
        age[w] = 0;
        var view = ViewOf(batch, w, batch.Cells, batch.Players, batch.CameraRoom(w));
        context[w] = [.. view, .. view];
    }

    private void ChooseActions(ReferenceBatch batch, int w, bool explores, ref int goal, long[] actions)
    {
        for (var slot = 0; slot < P; slot++)
        {
            actions[(w * P) + slot] = batch.Active[(w * P) + slot] == 0 ? 0 : _random.Next(LearnedGeometry.Actions);
        }
        if (!explores || _random.NextDouble() < RandomActionShare)
        {
            return;
        }
        var step = _explorer.Towards(batch, w, goal);
        if (step is null)
        {
            goal = ExplorerPolicy.RandomGoal(batch, w, _random);
            step = _explorer.Towards(batch, w, goal);
        }
        if (step is { } action)
        {
            actions[w * P] = action;
        }
    }

    // Every player of a crowd stays in its room and off the doors (a no-op where a move would leave or touch one), so
    // all of them stay in the camera's view; a few interact, which toggles doors and pushes nothing.
    private void ChooseCrowdActions(ReferenceBatch batch, int w, long[] actions)
    {
        for (var slot = 0; slot < P; slot++)
        {
            var draw = _random.NextDouble();
            actions[(w * P) + slot] = batch.Active[(w * P) + slot] == 0 || draw < CrowdNoOpShare ? 0
                : draw < CrowdNoOpShare + CrowdInteractShare ? (long)PlayerAction.Interact
                : batch.StayIn(w, slot, _random.Next(1, 5));
        }
    }

    private static int ActivePlayers(ReferenceBatch batch, int w)
    {
        var count = 0;
        for (var slot = 0; slot < P; slot++)
        {
            count += batch.Active[(w * P) + slot] == 0 ? 0 : 1;
        }
        return count;
    }

    private long ForcedSpawn(ReferenceBatch batch, int w)
    {
        // Mostly in the camera's room, where the dynamics must place the gem; the rest feeds the memory updater.
        var room = _random.NextDouble() < 0.5 ? batch.CameraRoom(w) : _random.Next(LearnedGeometry.Rooms);
        var row = (room / LearnedGeometry.RoomsPerSide * V) + _random.Next(V);
        var col = (room % LearnedGeometry.RoomsPerSide * V) + _random.Next(V);
        while (true)
        {
            if (WorldNoise.SpawnAt(row, col, _random.NextInt64()) is { } state)
            {
                return state;
            }
        }
    }

    private static void RecordTick(ReferenceBatch batch, int w, byte[] before, long[] players, long rng, long[] actions, byte[] context,
        DynamicsSamples dynamics, RoomSamples rooms)
    {
        var room = Room(players, w);
        var (top, left) = (room / LearnedGeometry.RoomsPerSide * V, room % LearnedGeometry.RoomsPerSide * V);
        var first = WorldNoise.Next(rng);
        var second = WorldNoise.Next(first);
        var gems = before.Count(c => c == LearnedGeometry.Gem);
        var tries = first < ReferenceRules.SpawnChanceDivisor && gems < ReferenceGeometry.GemCap;
        var spot = (int)(second / ReferenceRules.SpawnCellDivisor);
        var (spotRow, spotCol) = (spot / N, spot % N);
        var spotRoom = ReferenceBatch.RoomOf(spotRow, spotCol);
        long spawn = tries && spotRoom == room ? ((spotRow - top + 1) * S) + (spotCol - left + 1) : -1;

        RecordRoomUpdate(batch, w, before, players, tries, spotRow, spotCol, spotRoom, room, rooms);
        if (SomeoneInBorder(batch, w, players, top, left))
        {
            // A player standing in the border is out of the model's sight (it sees avatars in the view only), yet from
            // there it toggles the doors in the view's wall: a change with no visible cause. Learned from, such samples
            // taught the model that doors next to a doorway close by themselves now and then; they are left out.
            return;
        }

        var added = dynamics.Add(spawn);
        var cells = added.Cells.Span;
        var avatars = added.Avatars.Span;
        var actionSlots = added.Actions.Span;
        var nextCells = added.NextCells.Span;
        var nextAvatars = added.NextAvatars.Span;
        var inView = new bool[P];
        for (var i = 0; i < S; i++)
        {
            for (var j = 0; j < S; j++)
            {
                var (row, col) = (top + i - 1, left + j - 1);
                cells[(i * S) + j] = Cell(before, row, col);
                nextCells[(i * S) + j] = batch.Cell(w, row, col);
            }
        }
        for (var slot = 0; slot < P; slot++)
        {
            actionSlots[slot] = actions[(w * P) + slot];
            if (batch.Active[(w * P) + slot] == 0)
            {
                continue;
            }
            var (r, c) = ((int)players[(((w * P) + slot) * 2) + 0] - top, (int)players[(((w * P) + slot) * 2) + 1] - left);
            if (r >= 0 && r < V && c >= 0 && c < V)
            {
                inView[slot] = true;
                avatars[((r + 1) * S) + c + 1] = (byte)(slot + 1);
                var (nr, nc) = ((int)batch.Players[(((w * P) + slot) * 2) + 0] - top + 1, (int)batch.Players[(((w * P) + slot) * 2) + 1] - left + 1);
                if (nr >= 0 && nr < S && nc >= 0 && nc < S)
                {
                    nextAvatars[(nr * S) + nc] = (byte)(slot + 1);
                }
            }
        }
        context.CopyTo(added.Context.Span);

        // Door play, room changes and pushes are rare under any policy, and the first two decide whether the camera can
        // ever leave a room: a sample where the camera's player stands on, enters or toggles a door, or crosses into the
        // border, or where a player in view moves into a crate, counts four times.
        // Two players in view close enough to meet resolve in slot order, which a local convolution learns only from many
        // such ticks; those count four times too.
        if (DoorEvent(before, batch, w, players, top, left) || PushAttempt(before, batch, w, players, actions, top, left)
            || Contact(batch, w, players, actions, top, left))
        {
            for (var copy = 0; copy < RareEventRepeats && dynamics.RepeatLast(); copy++)
            {
            }
        }
    }

    // A spawn candidate out of view in a room nobody stands in: what the memory updater learns from.
    private static void RecordRoomUpdate(ReferenceBatch batch, int w, byte[] before, long[] players, bool tries, int spotRow, int spotCol, int spotRoom, int room,
        RoomSamples rooms)
    {
        if (tries && spotRoom != room && !AnyoneIn(batch, w, players, spotRoom) && !AnyoneIn(batch, w, batch.Players, spotRoom))
        {
            var (roomTop, roomLeft) = (spotRoom / LearnedGeometry.RoomsPerSide * V, spotRoom % LearnedGeometry.RoomsPerSide * V);
            var update = rooms.AddUpdate(((spotRow - roomTop) * V) + spotCol - roomLeft);
            if (!update.Room.IsEmpty)
            {
                for (var r = 0; r < V; r++)
                {
                    for (var c = 0; c < V; c++)
                    {
                        update.Room.Span[(r * V) + c] = Cell(before, roomTop + r, roomLeft + c);
                        update.NextRoom.Span[(r * V) + c] = batch.Cell(w, roomTop + r, roomLeft + c);
                    }
                }
            }
        }
    }

    private static void RecordFrame(ReferenceBatch batch, int w, RoomSamples rooms)
    {
        var sample = rooms.AddFrame();
        if (sample.Frame.IsEmpty)
        {
            return;
        }
        batch.Frames.AsSpan(w * sample.Frame.Length, sample.Frame.Length).CopyTo(sample.Frame.Span);
        var view = ViewOf(batch, w, batch.Cells, batch.Players, batch.CameraRoom(w));
        view.AsSpan(0, V * V).CopyTo(sample.Cells.Span);
        view.AsSpan(V * V, V * V).CopyTo(sample.Avatars.Span);
    }

    // Context, as the model keeps it: the previous views in the same room, newest first; after a room change, the new view twice.
    private static void UpdateContext(ReferenceBatch batch, int w, byte[] cellsBefore, long[] players, byte[] context)
    {
        var room = Room(players, w);
        var now = batch.CameraRoom(w);
        const int View2 = 2 * V * V;
        if (now != room)
        {
            var view = ViewOf(batch, w, batch.Cells, batch.Players, now);
            view.CopyTo(context, 0);
            view.CopyTo(context, View2);
            return;
        }
        Array.Copy(context, 0, context, View2, View2);
        var previous = ViewOf(batch, w, cellsBefore, players, room);
        previous.CopyTo(context, 0);
    }

    /// <summary>A room's cells then avatars (2 × 256 bytes) as the camera would show them.</summary>
    internal static byte[] ViewOf(ReferenceBatch batch, int w, byte[] cells, long[] players, int room)
    {
        var (top, left) = (room / LearnedGeometry.RoomsPerSide * V, room % LearnedGeometry.RoomsPerSide * V);
        var view = new byte[2 * V * V];
        for (var r = 0; r < V; r++)
        {
            for (var c = 0; c < V; c++)
            {
                view[(r * V) + c] = cells[(w * N * N) + ((top + r) * N) + left + c];
            }
        }
        for (var slot = 0; slot < P; slot++)
        {
            if (batch.Active[(w * P) + slot] == 0)
            {
                continue;
            }
            var (r, c) = ((int)players[(((w * P) + slot) * 2) + 0] - top, (int)players[(((w * P) + slot) * 2) + 1] - left);
            if (r >= 0 && r < V && c >= 0 && c < V)
            {
                view[(V * V) + (r * V) + c] = (byte)(slot + 1);
            }
        }
        return view;
    }

    private static int Room(long[] players, int w) => ReferenceBatch.RoomOf((int)players[w * P * 2], (int)players[(w * P * 2) + 1]);

    private static byte Cell(byte[] oneWorld, int row, int col) =>
        row < 0 || col < 0 || row >= N || col >= N ? LearnedGeometry.Wall : oneWorld[(row * N) + col];
}
