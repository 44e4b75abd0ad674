using WorldCluster.Models.Contract;
using WorldCluster.Models.Learned.Training;
using WorldCluster.Models.Reference;
using static TorchSharp.torch;

namespace WorldCluster.Models.Learned.Evaluation;

/// <summary>
/// Steps the reference world beside a revisit replay and notes, per world, the first tick at which the model's own view
/// (camera room, cell tokens, avatar tokens) departs from the reference's: where a revisit went wrong, not only whether.
/// </summary>
internal sealed class RevisitTrace : IDisposable
{
    private const int View = LearnedGeometry.View;
    private const int P = ReferenceGeometry.MaxPlayers;

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
        var (top, left) = (room / LearnedGeometry.RoomsPerSide * View, room % LearnedGeometry.RoomsPerSide * View);
        Span<byte> expected = stackalloc byte[View * View];
        for (var slot = 0; slot < P; slot++)
        {
            var (r, c) = ((int)_reference.Players[(((w * P) + slot) * 2) + 0] - top, (int)_reference.Players[(((w * P) + slot) * 2) + 1] - left);
            if (_reference.Active[(w * P) + slot] != 0 && r >= 0 && r < View && c >= 0 && c < View)
            {
                expected[(r * View) + c] = (byte)(slot + 1);
            }
        }
        for (var r = 0; r < View; r++)
        {
            for (var c = 0; c < View; c++)
            {
                if (cells[(r * View) + c] != _reference.Cell(w, top + r, left + c) || avatars[(r * View) + c] != expected[(r * View) + c])
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>Frees the reference model.</summary>
    public void Dispose() => _reference.Dispose();
}
