using WorldCluster.Models.Contract;
using WorldCluster.Models.Torch;
using static TorchSharp.torch;

namespace WorldCluster.Runtime.Tests.Fixtures;

/// <summary>
/// A model that forgets everything but where it is: its state is a room number and a clock, and what a room shows
/// (its frame) comes only from scene memory. So a room looks as it was left only if the runtime kept, stored and handed
/// back the memory. Actions: 0 wait, 1 go to the next of <see cref="Rooms"/> rooms, 2 paint the room with the clock.
/// </summary>
internal sealed class MemoryProbeModel : IWorldModel
{
    public const int Rooms = 8;

    public ModelManifest Manifest { get; } = new(
        "memory-probe", "1.0.0", MaxPlayers: 1, new ObservationShape(1, 1, 1), ActionSpace.Discrete("wait", "next-room", "paint"),
        [new StateTensorSpec("room", StateDType.Int64, [1]), new StateTensorSpec("clock", StateDType.Int64, [1])],
        ContextLength: 0, BatchInvariant: true, BatchBuckets: [],
        Memory: new MemorySpec("room", new StateTensorSpec("paint", StateDType.Int64, [1]), MaxEntries: Rooms));

    public StepOutput Init(IReadOnlyList<WorldSeed> seeds)
    {
        var b = seeds.Count;
        var room = zeros([b, 1], ScalarType.Int64);
        var clock = zeros([b, 1], ScalarType.Int64);
        return new StepOutput([room, clock], zeros([b, 1, 1, 1], ScalarType.Byte), new MemoryWrite(room.view(b), zeros([b, 1], ScalarType.Int64)));
    }

    public StepOutput Step(IReadOnlyList<Tensor> state, Tensor actions) =>
        throw new InvalidOperationException("this model needs its scene memory");

    public StepOutput Step(IReadOnlyList<Tensor> state, Tensor actions, SceneMemory memory)
    {
        var b = state[0].shape[0];
        var action = actions.select(1, 0).view(b, 1);
        var clock = state[1].Plus(1L);
        var room = where(action.eq(Scalars.One), state[0].Plus(1L).remainder(Scalars.Of(Rooms)), state[0]);
        // What memory holds for the room we are in now (0 if never seen).
        var here = memory.Keys.eq(room);
        var remembered = memory.Entries.view(b, Rooms).mul(here.to(ScalarType.Int64)).sum(1, keepdim: true);
        var paint = where(action.eq(Scalars.Of(2L)), clock, remembered);
        var frame = paint.remainder(Scalars.Of(256L)).to(ScalarType.Byte).view(b, 1, 1, 1);
        return new StepOutput([room, clock], frame, new MemoryWrite(room.view(b), paint));
    }

    public void Dispose()
    {
    }
}
