using Microsoft.Playwright;

namespace WorldCluster.Silo.Tests.Browser;

/// <summary>
/// Debian's headless Chromium, driven by Playwright's .NET driver (which ships its own node in the NuGet package).
/// A machine without the browser fails the tests that use it: they never pass or skip unchecked.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    /// <summary>Where build/install-deps.sh puts Debian's chromium; Playwright's own browser downloads are never used.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    /// <summary>The running browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed ({ExecutablePath} is missing): run `bash build/install-deps.sh`, which installs Debian's chromium for the browser tests.");
        }
        // Waits in Expect(...) assertions get the same deadline as the tests' other waits.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
    }
}
