using WorldCluster.Models.Contract;

namespace WorldCluster.Runtime.Worlds;

/// <summary>
/// What players sent during a real-time tick, merged per component by the space's rules (<see cref="ActionMerge"/>):
/// <c>tick</c> keeps the latest value and clears after the tick, <c>latest</c> keeps it until the player sends another,
/// <c>sum</c> adds a box's deltas, clipping the running sum to the bounds, and clears after the tick. A discrete space is
/// one <c>tick</c> component (today's rule). Words as in <see cref="ActionSpace.Width"/>.
/// </summary>
internal sealed class ActionMerger
{
    private readonly ActionSpace _space;
    private readonly int _width;
    private readonly int[] _pending;

    /// <summary>An empty merge for <paramref name="slots"/> player slots of <paramref name="space"/> (null: discrete).</summary>
    public ActionMerger(ActionSpace? space, int slots)
    {
        _space = space ?? ActionSpace.Discrete("noop");
        _width = _space.Width;
        _pending = new int[slots * _width];
    }

    /// <summary>The merged words so far, for a handover.</summary>
    public int[] Pending => (int[])_pending.Clone();

    /// <summary>Sets a discrete action for the next tick.</summary>
    public void Set(int slot, int action) => _pending[slot * _width] = action;

    /// <summary>Merges one slot's checked words; components not in <paramref name="present"/> are left as they are.</summary>
    public void Merge(int slot, ReadOnlySpan<int> words, ReadOnlySpan<bool> present)
    {
        var offset = slot * _width;
        var at = 0;
        for (var c = 0; c < _space.Components.Count; c++)
        {
            var component = _space.Components[c];
            if (present[c])
            {
                for (var i = 0; i < component.Width; i++)
                {
                    ref var slotWord = ref _pending[offset + at + i];
                    slotWord = component.Merge == ActionMerge.Sum
                        ? Clip(BitConverter.Int32BitsToSingle(slotWord) + BitConverter.Int32BitsToSingle(words[at + i]), component, i)
                        : words[at + i];
                }
            }
            at += component.Width;
        }
    }

    /// <summary>The words for the next tick, and a fresh start for the one after (held values stay).</summary>
    public int[] Take()
    {
        var taken = (int[])_pending.Clone();
        var slots = _pending.Length / _width;
        for (var slot = 0; slot < slots; slot++)
        {
            if (_space.IsDiscrete)
            {
                _pending[slot] = 0;
                continue;
            }
            var at = slot * _width;
            foreach (var component in _space.Components)
            {
                if (component.Merge != ActionMerge.Latest)
                {
                    Array.Clear(_pending, at, component.Width);
                }
                at += component.Width;
            }
        }
        return taken;
    }

    /// <summary>Releases everything a slot held (its player left).</summary>
    public void Clear(int slot) => Array.Clear(_pending, slot * _width, _width);

    /// <summary>Takes up a predecessor's merged words (as many as fit).</summary>
    public void Import(int[] pending) => pending.AsSpan(0, Math.Min(pending.Length, _pending.Length)).CopyTo(_pending);

    private static int Clip(float sum, ActionComponent c, int i) => BitConverter.SingleToInt32Bits(Math.Clamp(sum, c.Low[i], c.High[i]));
}
