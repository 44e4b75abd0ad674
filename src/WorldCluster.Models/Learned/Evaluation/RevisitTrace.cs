using WorldCluster.Models.Contract;
using WorldCluster.Models.Learned.Training;
using static TorchSharp.torch;

namespace WorldCluster.Models.Learned.Evaluation;

/// <summary>
/// Steps the reference world beside a revisit replay and notes, per world, the first tick at which the model's own view
/// (camera room, cell tokens, avatar tokens) departs from the reference's: where a revisit went wrong, not only whether.
/// </summary>
internal sealed class RevisitTrace : IDisposable
{
    private const int View = LearnedGeometry.View;

    private readonly ReferenceBatch _reference;
    private readonly int[] _until;
    private readonly int[] _departure;

    /// <summary>Traces <paramref name="seeds"/>, each up to (not including) its tick in <paramref name="until"/>.</summary>
    public RevisitTrace(IReadOnlyList<WorldSeed> seeds, int[] until)
    {
        _reference = new ReferenceBatch(seeds);
        _until = until;
        _departure = new int[seeds.Count];
        Array.Fill(_departure, -1);
    }

    /// <summary>The first tick at which world <paramref name="w"/>'s view departed, or -1 if it never did.</summary>
    public int Departure(int w) => _departure[w];

    /// <summary>Steps the reference with <paramref name="actions"/> and compares it with the model's state after the same tick.</summary>
    public void Step(int tick, long[] actions, IReadOnlyList<Tensor> modelState)
    {
        _reference.Step(actions);
        var cells = modelState[0].data<byte>().ToArray();
        var avatars = modelState[1].data<byte>().ToArray();
        var rooms = modelState[3].data<long>().ToArray();
        for (var w = 0; w < _departure.Length; w++)
        {
            if (_departure[w] < 0 && tick < _until[w] && !SameView(w, (int)rooms[w], cells.AsSpan(w * View * View, View * View), avatars.AsSpan(w * View * View, View * View)))
            {
                _departure[w] = tick;
            }
        }
    }

    private bool SameView(int w, int room, ReadOnlySpan<byte> cells, ReadOnlySpan<byte> avatars)
    {
        if (room != _reference.CameraRoom(w))
        {
            return false;
        }
        var expected = RolloutCollector.ViewOf(_reference, w, _reference.Cells, _reference.Players, room);
        return cells.SequenceEqual(expected.AsSpan(0, View * View)) && avatars.SequenceEqual(expected.AsSpan(View * View));
    }

    /// <summary>Frees the reference model.</summary>
    public void Dispose() => _reference.Dispose();
}
