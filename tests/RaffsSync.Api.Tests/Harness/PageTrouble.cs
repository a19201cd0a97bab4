using Microsoft.Playwright;

namespace RaffsSync.Api.Tests.Harness;

public static class PageTrouble
{
    /// <summary>Collects console errors (a Content-Security-Policy refusal among them), uncaught exceptions, failed requests, and any request that leaves the machine.</summary>
    public static List<string> Watch(IPage page)
    {
        var trouble = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") lock (trouble) trouble.Add($"console error: {message.Text}"); };
        page.PageError += (_, error) => { lock (trouble) trouble.Add($"page error: {error}"); };
        page.RequestFailed += (_, request) =>
        {
            // A script's fetch still in flight when the page navigates away is aborted by the browser, not refused.
            if (request.ResourceType == "fetch" && request.Failure == "net::ERR_ABORTED") return;
            lock (trouble) trouble.Add($"failed request: {request.ResourceType} {request.Url} ({request.Failure})");
        };
        page.Request += (_, request) =>
        {
            if (Uri.TryCreate(request.Url, UriKind.Absolute, out var url) && url.Scheme.StartsWith("http") && !url.IsLoopback)
                lock (trouble) trouble.Add($"request off the machine: {request.Url}");
        };
        return trouble;
    }
}
