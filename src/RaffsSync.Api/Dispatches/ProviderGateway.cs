using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using RaffsSync.Api.Registry;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Templates;

namespace RaffsSync.Api.Dispatches;

/// <summary>
/// Sends a rendered request to a provider over HTTP and reports what came back, capped. At most
/// <c>RaffsSync:Execution:MaxCallsPerProvider</c> calls (default 8) run at once per provider on
/// this node, so one slow provider cannot take every executor.
/// </summary>
public sealed class ProviderGateway(IHttpClientFactory clients, IConfiguration configuration)
{
    public const string ClientName = "providers";
    public const int BodyCapBytes = 64 * 1024;

    private readonly int _maxCallsPerProvider = Math.Max(1, configuration.GetValue("RaffsSync:Execution:MaxCallsPerProvider", 8));
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _perProvider = new();

    public async Task<ProviderCallResult> SendAsync(string provider, RenderedRequest request, TimeSpan timeout, CancellationToken cancellation)
    {
        var gate = _perProvider.GetOrAdd(provider, _ => new SemaphoreSlim(_maxCallsPerProvider));
        await gate.WaitAsync(cancellation);
        try
        {
            return await SendAsync(request, timeout, cancellation);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<ProviderCallResult> SendAsync(RenderedRequest request, TimeSpan timeout, CancellationToken cancellation)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url);
        if (request.Body is not null)
            message.Content = new StringContent(request.Body, Encoding.UTF8, "application/json");

        foreach (var (name, value) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
                message.Content?.Headers.TryAddWithoutValidation(name, value);
        }
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token);
            var truncated = body.Length > BodyCapBytes;
            // PostgreSQL's jsonb refuses U+0000: an answer holding one would fail the record of the call (the hash is of the bytes).
            var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, BodyCapBytes)).Replace('\0', '\uFFFD');
            return new ProviderCallResult.Responded((int)response.StatusCode, text, truncated,
                Convert.ToHexStringLower(SHA256.HashData(body)), watch.ElapsedMilliseconds, RetryAfter(response), NextLink(response));
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return new ProviderCallResult.Unreachable($"no answer within {timeout.TotalSeconds:0.###} s", watch.ElapsedMilliseconds, TimedOut: true);
        }
        catch (HttpRequestException e) when (EgressDeniedException.Behind(e) is { } denied)
        {
            return new ProviderCallResult.Unreachable(denied.Message, watch.ElapsedMilliseconds, EgressDenied: true);
        }
        catch (HttpRequestException e)
        {
            // Only a failed connection proves the request never left; anything later may have reached the provider.
            return new ProviderCallResult.Unreachable(e.HttpRequestError.ToString(), watch.ElapsedMilliseconds,
                TimedOut: e.HttpRequestError is not (HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError));
        }
    }

    /// <summary>The <c>rel="next"</c> target of a <c>Link</c> header (RFC 8288), if any.</summary>
    private static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values)) return null;
        foreach (var link in values.SelectMany(v => v.Split(',')))
        {
            var parts = link.Split(';', StringSplitOptions.TrimEntries);
            if (parts.Length > 1 && parts[0].StartsWith('<') && parts[0].EndsWith('>')
                && parts.Skip(1).Any(p => p.Replace(" ", "") is "rel=\"next\"" or "rel=next"))
                return parts[0][1..^1];
        }
        return null;
    }

    /// <summary>Retry-After as delta-seconds or an HTTP date, as a delay from now.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null
    };
}
