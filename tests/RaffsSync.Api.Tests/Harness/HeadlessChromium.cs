using Microsoft.Playwright;

namespace RaffsSync.Api.Tests.Harness;

/// <summary>
/// Debian's Chromium driven by Playwright: Playwright's own browser download is not possible here,
/// so .ci/run installs the <c>chromium</c> package.
/// </summary>
public static class HeadlessChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static bool IsInstalled => File.Exists(ExecutablePath);

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = ExecutablePath,
        Headless = true,
        // Tests run as root, where Chromium's sandbox cannot start.
        ChromiumSandbox = false,
        // Without these Chromium calls Google's services at start, which a closed network refuses.
        Args = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    });
}

/// <summary>A fact that needs <see cref="HeadlessChromium"/>: skipped, saying why, where it is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!HeadlessChromium.IsInstalled)
            Skip = $"No Chromium at {HeadlessChromium.ExecutablePath}: install Debian's chromium package (.ci/run does).";
    }
}
