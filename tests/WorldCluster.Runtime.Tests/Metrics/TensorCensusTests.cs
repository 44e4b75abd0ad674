using WorldCluster.Runtime.Metrics;

namespace WorldCluster.Runtime.Tests.Metrics;

public sealed class TensorCensusTests
{
    private long _live;

    private (TensorCensus Census, Prometheus.Gauge Gauge) NewCensus()
    {
        var gauge = Prometheus.Metrics.WithCustomRegistry(Prometheus.Metrics.NewCustomRegistry())
            .CreateGauge(MetricNames.LiveTensorsBetweenBatches, "test");
        return (new TensorCensus(gauge, () => _live), gauge);
    }

    [Fact]
    public void The_count_is_read_when_the_only_batch_ends_not_while_it_runs()
    {
        var (census, gauge) = NewCensus();
        _live = 46;
        census.BatchStarting();
        _live = 600;
        Assert.Equal(0, gauge.Value);
        _live = 46;
        census.BatchEnded();
        Assert.Equal(46, gauge.Value);
        Assert.Equal(0, census.InFlight);
    }

    [Fact]
    public void While_another_batch_runs_the_reading_waits_for_it_to_end()
    {
        var (census, gauge) = NewCensus();
        _live = 50;
        census.BatchStarting();
        census.BatchEnded();
        census.BatchStarting();
        census.BatchStarting();
        _live = 1200;
        census.BatchEnded();
        // The other batch's tensors are alive: no reading, the last one stays.
        Assert.Equal(50, gauge.Value);
        Assert.Equal(1, census.InFlight);
        _live = 52;
        census.BatchEnded();
        Assert.Equal(52, gauge.Value);
    }

    [Fact]
    public void An_end_without_a_start_is_a_bug_and_says_so()
    {
        var (census, _) = NewCensus();
        Assert.Throws<InvalidOperationException>(census.BatchEnded);
    }
}
