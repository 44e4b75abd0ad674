namespace WorldCluster.Benchmarks;

/// <summary>What <c>worldcluster-bench fanout</c> measured: the machine, the settings, one result per phase, and the tick-rate ratio.</summary>
/// <param name="Benchmark">Always <c>fanout</c>.</param>
/// <param name="StartedAt">When the run started (UTC).</param>
/// <param name="Machine">The machine it ran on.</param>
/// <param name="Settings">The settings it ran with.</param>
/// <param name="WorldId">The real-time world it measured.</param>
/// <param name="Phases">One result per phase: with no subscribers, then with the requested number.</param>
/// <param name="TicksPerSecondRatio">Ticks per second with subscribers divided by ticks per second without.</param>
/// <param name="Complete">True when every subscriber received every tick of its phase with no gap.</param>
public sealed record FanoutReport(
    string Benchmark,
    DateTimeOffset StartedAt,
    MachineInfo Machine,
    FanoutSettings Settings,
    string WorldId,
    IReadOnlyList<FanoutPhase> Phases,
    double TicksPerSecondRatio,
    bool Complete);

/// <summary>The settings of a <c>worldcluster-bench fanout</c> run.</summary>
/// <param name="Url">The cluster measured; null when the benchmark started its own host in-process.</param>
/// <param name="Model">The model of the world.</param>
/// <param name="Hz">The world's target tick rate.</param>
/// <param name="Subscribers">Spectator sessions in the second phase.</param>
/// <param name="Seconds">Length of each measured phase.</param>
public sealed record FanoutSettings(string? Url, string Model, int Hz, int Subscribers, double Seconds);

/// <summary>One measured phase: the world's tick rate and tick intervals at the player session, and what subscribers received.</summary>
/// <param name="Subscribers">Spectator sessions connected during the phase.</param>
/// <param name="Seconds">Measured length of the phase.</param>
/// <param name="TargetHz">The world's target tick rate.</param>
/// <param name="StartTick">The player's latest tick when the phase started.</param>
/// <param name="EndTick">The player's latest tick when the phase ended.</param>
/// <param name="Ticks">Ticks the world produced during the phase.</param>
/// <param name="TicksPerSecond">Ticks per second achieved.</param>
/// <param name="TickIntervalP50Ms">Median time between frame arrivals at the player session.</param>
/// <param name="TickIntervalP99Ms">99th percentile of the time between frame arrivals at the player session.</param>
/// <param name="TickIntervalMaxMs">Longest time between frame arrivals at the player session.</param>
/// <param name="PlayerGaps">Places where the player's frame sequence skipped a tick.</param>
/// <param name="SubscriberConnectSeconds">Time to connect every subscriber and receive its first frame.</param>
/// <param name="SubscriberFramesMin">Fewest phase frames one subscriber received.</param>
/// <param name="SubscriberFramesMax">Most phase frames one subscriber received.</param>
/// <param name="SubscriberFramesExpected">Phase frames each subscriber should have received (the ticks produced while it was connected).</param>
/// <param name="SubscriberFramesMissing">Phase frames subscribers should have received and did not, over all subscribers.</param>
/// <param name="SubscriberGaps">Places where a subscriber's frame sequence skipped a tick, over all subscribers.</param>
/// <param name="SubscribersDisconnected">Subscribers the server disconnected during the phase.</param>
public sealed record FanoutPhase(
    int Subscribers,
    double Seconds,
    int TargetHz,
    long StartTick,
    long EndTick,
    long Ticks,
    double TicksPerSecond,
    double TickIntervalP50Ms,
    double TickIntervalP99Ms,
    double TickIntervalMaxMs,
    int PlayerGaps,
    double SubscriberConnectSeconds,
    long SubscriberFramesMin,
    long SubscriberFramesMax,
    long SubscriberFramesExpected,
    long SubscriberFramesMissing,
    int SubscriberGaps,
    int SubscribersDisconnected);
