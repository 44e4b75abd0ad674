namespace WorldCluster.Models.Learned.Training;

/// <summary>How <c>worldcluster train</c> trains the learned world model; equal options give equal weights on the same machine.</summary>
/// <param name="Seed">Seeds the rollouts, the initial weights and the sample order.</param>
/// <param name="Samples">Dynamics samples collected from reference rollouts.</param>
/// <param name="DynamicsSteps">Optimizer steps for the dynamics network.</param>
/// <param name="CodecSteps">Optimizer steps for the frame encoder and decoder.</param>
/// <param name="UpdaterSteps">Optimizer steps for the memory updater.</param>
/// <param name="BatchSize">Samples per optimizer step.</param>
/// <param name="LearningRate">Adam's initial learning rate (it decays along a cosine to a twentieth).</param>
public sealed record TrainingOptions(
    long Seed = 1,
    int Samples = 200_000,
    int DynamicsSteps = 30_000,
    int CodecSteps = 4_000,
    int UpdaterSteps = 6_000,
    int BatchSize = 32,
    double LearningRate = 2e-3)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for options training cannot run with.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Samples, BatchSize, nameof(Samples));
        ArgumentOutOfRangeException.ThrowIfNegative(DynamicsSteps, nameof(DynamicsSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(CodecSteps, nameof(CodecSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(UpdaterSteps, nameof(UpdaterSteps));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 2, nameof(BatchSize));
        if (!(LearningRate > 0 && LearningRate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "the learning rate must be in (0, 1)");
        }
    }
}

/// <summary>Where training is: the phase (collect, codec, updater, dynamics), the step in it and the latest loss.</summary>
public sealed record TrainingProgress(string Phase, int Step, int Steps, double Loss);
