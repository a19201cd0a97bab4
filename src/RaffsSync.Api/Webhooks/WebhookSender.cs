using System.Diagnostics;
using System.Text;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Api.Webhooks;

/// <summary>Sends one message to one endpoint per Standard Webhooks and reports what came back (the answer's body capped).</summary>
public sealed class WebhookSender(IHttpClientFactory clients, WebhookSettings settings, TimeProvider clock)
{
    public const int ResponseCapBytes = 16 * 1024;

    public async Task<WebhookAttemptResult> SendAsync(string url, WebhookDelivery delivery, IReadOnlyList<string> secrets,
        CancellationToken cancellation)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json")
        };
        request.Headers.TryAddWithoutValidation("webhook-id", delivery.MessageId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSignature.Header(secrets, delivery.MessageId, timestamp, delivery.Body));
        request.Headers.UserAgent.ParseAdd("RaffsSync-Webhooks/1");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(settings.AttemptTimeout);
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await clients.CreateClient(WebhookHttpClient.Name)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var (body, truncated) = await ReadCappedAsync(response.Content, deadline.Token);
            return new WebhookAttemptResult.Answered((int)response.StatusCode, body, truncated, RetryAfter(response), watch.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return new WebhookAttemptResult.NoAnswer($"no answer within {settings.AttemptTimeout.TotalSeconds:0.###} s", watch.ElapsedMilliseconds);
        }
        catch (HttpRequestException e)
        {
            return WebhookEgressDeniedException.Behind(e) is { } denied
                ? new WebhookAttemptResult.Refused(denied.Message, watch.ElapsedMilliseconds)
                : new WebhookAttemptResult.NoAnswer($"could not reach the endpoint ({e.HttpRequestError})", watch.ElapsedMilliseconds);
        }
    }

    /// <summary>Reads at most the cap: an endpoint that answers with a huge body costs neither memory nor time past it.</summary>
    private static async Task<(string Body, bool Truncated)> ReadCappedAsync(HttpContent content, CancellationToken cancellation)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellation);
        var buffer = new byte[ResponseCapBytes + 1];
        var read = 0;
        while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), cancellation) is var n and > 0) read += n;
        var truncated = read > ResponseCapBytes;
        // PostgreSQL's jsonb refuses U+0000: an answer holding one would fail the record of a delivered message.
        return (Encoding.UTF8.GetString(buffer, 0, Math.Min(read, ResponseCapBytes)).Replace('\0', '\uFFFD'), truncated);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - clock.GetUtcNow(),
        _ => null
    };
}
