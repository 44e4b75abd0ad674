using TorchSharp;
using WorldCluster.Models.Contract;
using WorldCluster.Models.Learned;
using WorldCluster.Models.Learned.Evaluation;
using WorldCluster.Models.Learned.Training;
using WorldCluster.Models.Reference;
using static TorchSharp.torch;

namespace WorldCluster.Models.Tests.Native;

/// <summary>
/// The models leave no Scalar and no Tensor to the finalizer: every one they make is either kept for the process or
/// owned by a dispose scope. A finalized one could have been freed while libtorch was reading it; before this rule, a
/// CI run failed once in a few with "alpha must not be a floating point number" in the middle of a reference step.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class NoNativeValueFinalizedTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void The_reference_world_leaves_nothing_to_the_finalizer(int worlds)
    {
        using var model = new ReferenceWorld();
        AssertNothingFinalized(() => Roll(model, worlds, ticks: 10));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void The_learned_world_leaves_nothing_to_the_finalizer(int worlds)
    {
        using var model = new LearnedWorld(new LearnedWorldNetwork(seed: 5));
        AssertNothingFinalized(() => Roll(model, worlds, ticks: 10));
    }

    [Fact]
    public void The_fidelity_evaluator_leaves_nothing_to_the_finalizer()
    {
        using var model = new LearnedWorld(new LearnedWorldNetwork(seed: 5));
        AssertNothingFinalized(() => FidelityEvaluator.Evaluate(model, seed: 9_000_000, rollouts: 4, revisits: 2));
    }

    [Fact]
    public void Training_leaves_no_scalar_and_no_tensor_per_step_to_the_finalizer()
    {
        // TorchSharp's layers and autograd leave a few emptied tensor shells per network (a Parameter takes the native
        // tensor out of the one it wraps; 31 to 34 here, varying from run to run); what must not happen is a Scalar at
        // all, or a tensor left behind per step: 10 more steps in each of the three phases would add at least 30.
        var shortRun = FinalizerWatch.During(() => Train(steps: 2), typeof(Scalar), typeof(Tensor));
        var longRun = FinalizerWatch.During(() => Train(steps: 12), typeof(Scalar), typeof(Tensor));
        Assert.Equal(0, shortRun[typeof(Scalar)]);
        Assert.Equal(0, longRun[typeof(Scalar)]);
        Assert.True(longRun[typeof(Tensor)] - shortRun[typeof(Tensor)] < 30,
            $"30 more training steps left {longRun[typeof(Tensor)] - shortRun[typeof(Tensor)]} more tensors to the finalizer ({shortRun[typeof(Tensor)]} → {longRun[typeof(Tensor)]})");
    }

    private static void Train(int steps) =>
        LearnedWorldTrainer.Train(new TrainingOptions(Seed: 3, Samples: 64, DynamicsSteps: steps, CodecSteps: steps, UpdaterSteps: steps, BatchSize: 8)).Dispose();

    private static void AssertNothingFinalized(Action action)
    {
        var finalized = FinalizerWatch.During(action, typeof(Scalar), typeof(Tensor));
        Assert.Equal(0, finalized[typeof(Scalar)]);
        Assert.Equal(0, finalized[typeof(Tensor)]);
    }

    private static void Roll(IWorldModel model, int worlds, int ticks)
    {
        using var scope = NewDisposeScope();
        var output = model.Init([.. Enumerable.Range(0, worlds).Select(i => new WorldSeed(60 + i, 2))]);
        for (var tick = 0; tick < ticks; tick++)
        {
            var actions = tensor(Enumerable.Range(0, worlds * 4).Select(i => (long)((i + tick) % 6)).ToArray(), [worlds, 4]);
            output = output.Memory is { } write
                ? model.Step(output.State, actions, new SceneMemory(write.Keys, write.Entries))
                : model.Step(output.State, actions);
        }
    }
}
