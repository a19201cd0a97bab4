using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace RaffsSync.Api.Tests.Harness;

/// <summary>A webhook message as a receiver got it: the Standard Webhooks headers and the body.</summary>
public sealed record ReceivedWebhook(string Id, long Timestamp, string Signature, string Body, DateTimeOffset ReceivedAt)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    public string Type => Json.GetProperty("type").GetString()!;
    public JsonElement Data => Json.GetProperty("data");
}

/// <summary>
/// A customer's webhook endpoint: a real HTTP server on 127.0.0.1 that records every delivery and answers with what
/// <see cref="Answer"/> decides (200 by default).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private WebApplication _app = null!;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();


    public string Url { get; private set; } = "";

    /// <summary>The status to answer a delivery with, and headers to add.</summary>
    public Func<ReceivedWebhook, (int Status, IReadOnlyDictionary<string, string>? Headers)> Answer { get; set; } = _ => (200, null);

    /// <summary>The body to answer a delivery with ("{}" by default).</summary>
    public Func<ReceivedWebhook, string> AnswerBody { get; set; } = _ => "{}";

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        (receiver._app, var baseUrl) = await LoopbackServer.StartAsync(app => app.MapPost("/hooks", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers;
            var received = new ReceivedWebhook(headers["webhook-id"].ToString(),
                long.TryParse(headers["webhook-timestamp"].ToString(), out var ts) ? ts : 0, headers["webhook-signature"].ToString(), body,
                DateTimeOffset.UtcNow);
            receiver._received.Enqueue(received);
            var (status, extra) = receiver.Answer(received);
            foreach (var (name, value) in extra ?? new Dictionary<string, string>()) context.Response.Headers[name] = value;
            context.Response.StatusCode = status;
            await context.Response.WriteAsync(receiver.AnswerBody(received));
        }));
        receiver.Url = baseUrl + "/hooks";
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// The receiving side of the Standard Webhooks spec, written here from the spec (never the product's signer): the signed
/// content is <c>{id}.{timestamp}.{body}</c>, the key is the base64 after <c>whsec_</c>, and the header lists
/// space-separated <c>v1,{base64 HMAC-SHA256}</c> signatures, any one of which may match.
/// </summary>
public static class StandardWebhooks
{
    public static bool Verify(string secret, ReceivedWebhook message, TimeSpan? tolerance = null)
    {
        if (!secret.StartsWith("whsec_", StringComparison.Ordinal)) return false;
        var age = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(message.Timestamp);
        if (age.Duration() > (tolerance ?? TimeSpan.FromMinutes(5))) return false;

        using var hmac = new HMACSHA256(Convert.FromBase64String(secret["whsec_".Length..]));
        var expected = hmac.ComputeHash(Encoding.UTF8.GetBytes($"{message.Id}.{message.Timestamp}.{message.Body}"));
        foreach (var versioned in message.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = versioned.Split(',', 2);
            if (parts is ["v1", var signature] && TryBase64(signature) is { } actual && CryptographicOperations.FixedTimeEquals(actual, expected))
                return true;
        }
        return false;
    }

    private static byte[]? TryBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
