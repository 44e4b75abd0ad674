using System.Diagnostics;
using WorldCluster.Models.Contract;
using WorldCluster.Runtime.Memory;
using static TorchSharp.torch;

namespace WorldCluster.Benchmarks;

/// <summary>(a) The limit: the model's own <c>Step</c> in a tight loop at one batch size, state kept as tensors between steps.</summary>
internal static class ModelLimitBenchmark
{
    /// <summary>Steps <paramref name="batchSize"/> worlds for about <paramref name="duration"/> (at least two timed calls).</summary>
    /// <remarks>Call only while nothing else steps the model: models are single-threaded.</remarks>
    public static LimitPoint Measure(IWorldModel model, int batchSize, TimeSpan duration)
    {
        var manifest = model.Manifest;
        using var outer = NewDisposeScope();
        using var noGrad = no_grad();
        var init = model.Init([.. Enumerable.Range(0, batchSize).Select(i => new WorldSeed(i + 1, manifest.MaxPlayers))]);
        var state = init.State.ToArray();
        var table = manifest.Memory is { } memory ? SceneMemoryTable.Empty(memory, batchSize, init.Frames.device) : null;
        var random = new Random(batchSize);
        var actions = tensor([.. Enumerable.Range(0, batchSize * manifest.MaxPlayers).Select(_ => (long)random.Next(manifest.ActionSpace.N))],
            [batchSize, manifest.MaxPlayers], ScalarType.Int64, init.Frames.device);

        // Two untimed calls pay for first-touch costs at this shape.
        for (var i = 0; i < 2; i++)
        {
            state = Step(model, state, actions, table);
        }
        var calls = 0L;
        var started = Stopwatch.GetTimestamp();
        do
        {
            state = Step(model, state, actions, table);
            calls++;
        }
        while (calls < 2 || Stopwatch.GetElapsedTime(started) < duration);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        foreach (var t in state)
        {
            t.Dispose();
        }
        return new LimitPoint(batchSize, calls, Math.Round(seconds * 1000 / calls, 4), Math.Round(calls * batchSize / seconds, 1));
    }

    // One step; the next state outlives the step's dispose scope, everything else (frames, memory writes) goes with it.
    private static Tensor[] Step(IWorldModel model, Tensor[] state, Tensor actions, Tensor[]? table)
    {
        using var scope = NewDisposeScope();
        var output = table is null ? model.Step(state, actions) : model.Step(state, actions, new SceneMemory(table[0], table[1]));
        // Read the frames to the host, as serving does, so a GPU's asynchronous kernels are inside the timing.
        _ = output.Frames.cpu();
        var next = output.State.ToArray();
        foreach (var t in next)
        {
            t.DetachFromDisposeScope();
        }
        // A model may hand an unchanged input tensor back as its output: that one lives on.
        foreach (var t in state.Where(t => !next.Any(n => n.Handle == t.Handle)))
        {
            t.Dispose();
        }
        return next;
    }
}
