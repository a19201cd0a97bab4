using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RaffsSync.Domain.Webhooks;

/// <summary>The JSON a webhook message carries, <c>{type, timestamp, data}</c>, and the delivery that sends it to one endpoint.</summary>
public static class WebhookMessage
{
    /// <summary>Messages above this size carry a stand-in for <c>data</c> (the README documents the cap).</summary>
    public const int DefaultMaxBytes = 256 * 1024;

    public static string NewMessageId() => "msg_" + Guid.CreateVersion7().ToString("N");

    /// <summary>The body as sent; a <paramref name="data"/> too large for the cap is replaced by <c>{truncated, size_bytes}</c>.</summary>
    public static string Compose(string eventType, DateTimeOffset timestamp, JsonElement data, int maxBytes = DefaultMaxBytes)
    {
        var body = Serialize(eventType, timestamp, JsonNode.Parse(data.GetRawText()));
        if (Encoding.UTF8.GetByteCount(body) <= maxBytes) return body;
        return Serialize(eventType, timestamp, new JsonObject { ["truncated"] = true, ["size_bytes"] = Encoding.UTF8.GetByteCount(body) });
    }

    private static string Serialize(string eventType, DateTimeOffset timestamp, JsonNode? data) => new JsonObject
    {
        ["type"] = eventType,
        ["timestamp"] = timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        ["data"] = data
    }.ToJsonString();

    /// <summary>
    /// A new delivery of a message to an endpoint (its id is a fresh delivery stream). Its creation time is cut to whole
    /// microseconds, PostgreSQL's precision, so the cursors and recovery batches that compare it see the value stored.
    /// </summary>
    public static WebhookDeliveryCreated Deliver(WebhookEndpoint endpoint, string? tenantId, string eventType, JsonElement data, long orderKey,
        DateTimeOffset now, int maxBytes = DefaultMaxBytes)
    {
        var createdAt = now.AddTicks(-(now.Ticks % 10));
        return new(Guid.CreateVersion7(), NewMessageId(), endpoint.Id, endpoint.CustomerId, tenantId, eventType,
            Compose(eventType, createdAt, data, maxBytes), orderKey, createdAt);
    }
}
