using System.Text.Json.Nodes;

namespace RaffsSync.Domain.Audit;

/// <summary>
/// Turns an event's JSON into the audit log's data: values under secret-looking names are replaced,
/// and object keys are sorted so the text (which the hash chain covers) does not depend on property order.
/// </summary>
public static class AuditRedaction
{
    public const string Redacted = "[redacted]";

    private static readonly string[] SecretNames =
        ["secret", "secret_hash", "client_secret", "password", "token", "access_token", "refresh_token",
         "api_key", "apikey", "authorization", "private_key", "credentials_value"];

    private static readonly string[] SecretSuffixes = ["_secret", "_password", "_token", "_api_key", "_private_key"];

    public static bool IsSecretName(string name)
    {
        var lower = name.ToLowerInvariant().Replace('-', '_');
        return SecretNames.Contains(lower) || SecretSuffixes.Any(lower.EndsWith);
    }

    private static string CanonicalJson(JsonNode? data) => Canonicalize(data)?.ToJsonString() ?? "null";

    private static JsonNode? Canonicalize(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key,
                IsSecretName(p.Key) && p.Value is not null ? JsonValue.Create(Redacted) : Canonicalize(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Canonicalize).ToArray()),
        null => null,
        _ => node.DeepClone()
    };

    /// <summary>The JSON text redacted, with object keys in ordinal order, without whitespace.</summary>
    public static string CanonicalJson(string json) => CanonicalJson(JsonNode.Parse(json));
}
