using System.Collections.Concurrent;
using WorldCluster.Abstractions;

namespace WorldCluster.Runtime.Tests.Fixtures;

/// <summary>Every frame update an observer received, repeats included (a repeat would show as a tick twice), with waits for one that matches.</summary>
internal sealed class FrameLog : IWorldObserver
{
    private readonly ConcurrentQueue<FrameUpdate> _received = new();
    private readonly Lock _gate = new();
    private readonly List<(Func<FrameUpdate, bool> Match, TaskCompletionSource Done)> _waiters = [];

    public List<FrameUpdate> Received => [.. _received];

    public Task OnFrameAsync(FrameUpdate update)
    {
        _received.Enqueue(update);
        lock (_gate)
        {
            foreach (var w in _waiters.Where(w => w.Match(update)))
            {
                w.Done.TrySetResult();
            }
        }
        return Task.CompletedTask;
    }

    public Task WaitFor(Func<FrameUpdate, bool> match, TimeSpan deadline)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_received.Any(match))
            {
                return Task.CompletedTask;
            }
            _waiters.Add((match, done));
        }
        return done.Task.WaitAsync(deadline);
    }
}
