namespace WorldCluster.Silo.Tests.Fixtures;

/// <summary>Guards for tests that count a day-long rate-limit window (windows are aligned to UTC midnight).</summary>
public static class RateWindows
{
    /// <summary>A test that starts within a minute of UTC midnight waits for the new day, so its window cannot end mid-test.</summary>
    public static async Task AwayFromMidnightAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var untilMidnight = now.UtcDateTime.Date.AddDays(1) - now.UtcDateTime;
        if (untilMidnight < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(untilMidnight + TimeSpan.FromSeconds(1));
        }
    }
}
