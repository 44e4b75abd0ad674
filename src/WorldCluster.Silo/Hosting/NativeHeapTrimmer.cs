using WorldCluster.Models.Torch;

namespace WorldCluster.Silo.Hosting;

/// <summary>Every <c>WorldCluster:NativeHeapTrimInterval</c>, hands the free pages glibc malloc keeps back to the operating system.</summary>
/// <remarks>
/// libtorch allocates each batch's tensors at sizes that change with the batch, and glibc keeps what is freed in its
/// arenas for reuse; the soak saw the bytes held that way climb while the bytes in use stayed flat, and resident memory
/// climbed with them. <c>malloc_trim</c> releases whole free pages inside the arenas, which bounds resident memory
/// without changing how anything allocates (the soak's figures with and without it are in docs/reliability.md). It walks
/// the arenas under their locks, so it runs rarely (default once a minute) and off the step path.
/// </remarks>
public sealed partial class NativeHeapTrimmer : IHostedService, IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Func<bool> _trim;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private PeriodicTimer? _timer;
    private Task _loop = Task.CompletedTask;

    /// <summary>Trims glibc's heap at the interval the silo's options give.</summary>
    public NativeHeapTrimmer(TimeProvider time, SiloOptions options, ILogger<NativeHeapTrimmer> logger)
        : this(time, options.NativeHeapTrimInterval, NativeHeap.Trim, logger)
    {
    }

    internal NativeHeapTrimmer(TimeProvider time, TimeSpan interval, Func<bool> trim, ILogger logger)
    {
        _time = time;
        _interval = interval;
        _trim = trim;
        _logger = logger;
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_interval > TimeSpan.Zero)
        {
            // The timer exists when StartAsync returns, so the interval counts from the silo's start.
            _timer = new PeriodicTimer(_interval, _time);
            _loop = RunAsync(_timer, _stopping.Token);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _timer?.Dispose();
        _stopping.Dispose();
    }

    private async Task RunAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var started = _time.GetTimestamp();
                var released = _trim();
                LogTrimmed(released, _time.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "malloc_trim released memory: {Released} ({Milliseconds} ms)")]
    private partial void LogTrimmed(bool released, double milliseconds);
}
