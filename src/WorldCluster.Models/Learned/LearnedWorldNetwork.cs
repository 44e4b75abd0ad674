using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace WorldCluster.Models.Learned;

/// <summary>The learned world model's trainable parts: frame encoder and decoder, latent dynamics and the memory updater.</summary>
public sealed class LearnedWorldNetwork : Module
{
    /// <summary>Creates the network; with <paramref name="seed"/> the initial weights are the same on every run.</summary>
    public LearnedWorldNetwork(long? seed = null)
        : base(nameof(LearnedWorldNetwork))
    {
        if (seed is { } s)
        {
            manual_seed(s);
        }
        Encoder = new FrameEncoder();
        Decoder = new FrameDecoder();
        Dynamics = new LatentDynamics();
        Updater = new MemoryUpdater();
        RegisterComponents();
    }

    /// <summary>Frame to token logits.</summary>
    public FrameEncoder Encoder { get; }

    /// <summary>One-hot tokens to frame.</summary>
    public FrameDecoder Decoder { get; }

    /// <summary>Window latent, context, actions and noise to next-token logits.</summary>
    public LatentDynamics Dynamics { get; }

    /// <summary>Remembered room and spawn candidate to next cell logits.</summary>
    public MemoryUpdater Updater { get; }

    /// <summary>Number of trainable weights.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Loads weights saved by <c>Module.save</c>; throws <see cref="InvalidDataException"/> for a file that does not fit.</summary>
    public static LearnedWorldNetwork Load(string path)
    {
        var network = new LearnedWorldNetwork();
        try
        {
            network.load(path, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or NotImplementedException)
        {
            network.Dispose();
            throw new InvalidDataException($"'{path}' is not a learned-world weights file: {e.Message}", e);
        }
        network.eval();
        return network;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Encoder.Dispose();
            Decoder.Dispose();
            Dynamics.Dispose();
            Updater.Dispose();
        }
        base.Dispose(disposing);
    }
}
