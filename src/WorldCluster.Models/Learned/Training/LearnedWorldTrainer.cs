using TorchSharp.Modules;
using WorldCluster.Models.Torch;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace WorldCluster.Models.Learned.Training;

/// <summary>
/// Trains the learned world model from scratch on reference-world rollouts: collect samples, then fit the frame codec,
/// the memory updater and the dynamics, each supervised by the reference world's true cells.
/// </summary>
public static class LearnedWorldTrainer
{
    /// <summary>Frame samples collected for the codec.</summary>
    private const int FrameSamples = 6_000;

    /// <summary>Updater samples collected.</summary>
    private const int UpdateSamples = 4_000;

    /// <summary>Weight of a cell whose token changes, against 1 for a cell that keeps it: changes are what the model must get right.</summary>
    private const float ChangeWeight = 10f;

    /// <summary>Weight of the spawn candidate's cell in the memory updater's loss, against 1 for every other cell of the room.</summary>
    private const float CandidateWeight = LearnedGeometry.View * LearnedGeometry.View;

    /// <summary>Largest gradient norm an optimizer step applies.</summary>
    private const double MaxGradientNorm = 5.0;

    /// <summary>Trains a network; reports progress through <paramref name="progress"/>.</summary>
    public static LearnedWorldNetwork Train(TrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var dynamics = new DynamicsSamples(options.Samples);
        var rooms = new RoomSamples(Math.Min(FrameSamples, options.Samples), Math.Min(UpdateSamples, options.Samples / 8));
        new RolloutCollector(options.Seed).Collect(dynamics, rooms,
            share => progress?.Report(new TrainingProgress("collect", (int)(share * options.Samples), options.Samples, 0)));

        var network = new LearnedWorldNetwork(options.Seed);
        network.train();
        var random = new Random(unchecked((int)options.Seed));
        Fit(network.Encoder.parameters().Concat(network.Decoder.parameters()), options.CodecSteps, options, "codec", progress, () =>
        {
            var batch = rooms.FrameBatch(Sample(random, rooms.FrameCount, options.BatchSize));
            var (frames, cells, avatars) = (batch[0], batch[1], batch[2]);
            var logits = network.Encoder.forward(frames);
            var encoderLoss = functional.cross_entropy(logits.narrow(1, 0, LearnedGeometry.CellClasses), cells.to(ScalarType.Int64))
                .Plus(functional.cross_entropy(logits.narrow(1, LearnedGeometry.CellClasses, LearnedGeometry.AvatarClasses), avatars.to(ScalarType.Int64)));
            // The decoder must hit every pixel to within half a level after rounding: a squared error scaled to pixel levels.
            var decoded = network.Decoder.forward(LatentCodec.OneHot(cells, avatars));
            return encoderLoss.Plus(functional.mse_loss(decoded, frames).mul(Scalars.Of(1000.0)));
        }, cancellationToken);
        Fit(network.Updater.parameters(), rooms.UpdateCount == 0 ? 0 : options.UpdaterSteps, options, "updater", progress, () =>
        {
            var batch = rooms.UpdateBatch(Sample(random, rooms.UpdateCount, options.BatchSize));
            // The candidate's cell is one in 256, and on a door or a crate rarer still: weighted like the rest, the updater
            // learned to turn a closed door under a candidate into a wall. The candidate's cell counts as much as a room.
            var loss = functional.cross_entropy(network.Updater.forward(batch[0]), batch[1], reduction: Reduction.None);
            var candidate = batch[0].select(1, LearnedGeometry.CellClasses);
            return loss.mul(candidate.mul(Scalars.Of(CandidateWeight - 1.0)).add_(Scalars.Of(1.0), Scalars.One)).mean();
        }, cancellationToken);
        Fit(network.Dynamics.parameters(), options.DynamicsSteps, options, "dynamics", progress, () =>
        {
            var batch = dynamics.Batch(Sample(random, dynamics.Count, options.BatchSize));
            var (cells, avatars, context, actions, spawn, nextCells, nextAvatars) = (batch[0], batch[1], batch[2], batch[3], batch[4], batch[5], batch[6]);
            var logits = network.Dynamics.forward(LatentCodec.DynamicsInput(cells, avatars, context, actions, spawn));
            return Weighted(logits.narrow(1, 0, LearnedGeometry.CellClasses), nextCells, cells)
                .Plus(Weighted(logits.narrow(1, LearnedGeometry.CellClasses, LearnedGeometry.AvatarClasses), nextAvatars, avatars));
        }, cancellationToken);
        network.eval();
        return network;
    }

    private static Tensor Weighted(Tensor logits, Tensor target, Tensor current)
    {
        var loss = functional.cross_entropy(logits, target.to(ScalarType.Int64), reduction: Reduction.None);
        var weight = target.ne(current).to(ScalarType.Float32).mul_(Scalars.Of(ChangeWeight - 1.0)).add_(Scalars.Of(1.0), Scalars.One);
        return loss.mul(weight).mean();
    }

    private static void Fit(IEnumerable<Parameter> parameters, int steps, TrainingOptions options, string phase,
        IProgress<TrainingProgress>? progress, Func<Tensor> loss, CancellationToken cancellationToken)
    {
        if (steps == 0)
        {
            return;
        }
        var trained = parameters.ToList();
        using var optimizer = new AdamOptimizer(trained, options.LearningRate);
        var smoothed = double.NaN;
        for (var step = 0; step < steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Cosine decay to a twentieth of the initial rate.
            var rate = options.LearningRate * (0.05 + (0.95 * 0.5 * (1 + Math.Cos(Math.PI * step / steps))));
            optimizer.LearningRate = rate;
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var value = loss();
            var current = value.item<float>();
            if (!float.IsFinite(current))
            {
                // A non-finite batch (seen rarely with libtorch's CPU convolutions here) must not poison the weights: skip it.
                continue;
            }
            value.backward();
            // Clipping keeps one unlucky batch from throwing the weights far; a non-finite gradient skips the step.
            var norm = nn.utils.clip_grad_norm_(trained, MaxGradientNorm);
            if (!double.IsFinite(norm))
            {
                continue;
            }
            optimizer.Step();
            smoothed = double.IsNaN(smoothed) ? current : (0.98 * smoothed) + (0.02 * current);
            if (step % 10 == 0 || step == steps - 1)
            {
                progress?.Report(new TrainingProgress(phase, step + 1, steps, smoothed));
            }
        }
    }

    private static int[] Sample(Random random, int count, int size)
    {
        var picks = new int[size];
        for (var i = 0; i < size; i++)
        {
            picks[i] = random.Next(count);
        }
        return picks;
    }
}
