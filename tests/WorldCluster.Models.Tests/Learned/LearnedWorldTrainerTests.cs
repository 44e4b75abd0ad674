using WorldCluster.Models.Learned.Training;
using Xunit.Abstractions;

namespace WorldCluster.Models.Tests.Learned;

public sealed class LearnedWorldTrainerTests(ITestOutputHelper output)
{
    private static readonly TrainingOptions Tiny = new(Seed: 5, Samples: 600, DynamicsSteps: 40, CodecSteps: 10, UpdaterSteps: 10, BatchSize: 16);

    [Fact]
    public void A_few_training_steps_lower_the_loss_and_stay_finite()
    {
        var reports = new List<TrainingProgress>();
        using var network = LearnedWorldTrainer.Train(Tiny, new Collect(reports));
        foreach (var r in reports.Where(r => r.Phase == "dynamics"))
        {
            output.WriteLine($"{r.Step} {r.Loss}");
        }
        var dynamics = reports.Where(r => r.Phase == "dynamics").ToList();
        Assert.All(dynamics, r => Assert.True(double.IsFinite(r.Loss), $"loss {r.Loss} at step {r.Step}"));
        Assert.True(dynamics[^1].Loss < dynamics[0].Loss, $"dynamics loss went from {dynamics[0].Loss} to {dynamics[^1].Loss}");
        Assert.Contains(reports, r => r.Phase == "collect");
        Assert.Contains(reports, r => r.Phase == "codec");
        Assert.Contains(reports, r => r.Phase == "updater");
    }

    private sealed class Collect(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }
}
