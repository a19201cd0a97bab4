using System.Text.Json;
using System.Text.Json.Nodes;

namespace RaffsSync.Domain.Templates;

/// <summary>Everything a route template may read for one dispatch.</summary>
public sealed record TemplateInputs(
    Guid DispatchId,
    string TenantId,
    JsonElement Payload,
    DateTimeOffset Now,
    string? IdempotencyKey = null,
    IReadOnlyDictionary<string, string>? ConnectionSettings = null,
    IReadOnlyDictionary<string, string>? Credentials = null);

/// <summary>
/// What a template may read, and nothing else: named JSON roots (<c>payload</c>, <c>connection</c>,
/// <c>dispatch</c>, <c>idempotency_key</c>, <c>now</c>, and <c>credentials</c> for headers and auth).
/// Lookups are plain property and index steps; there is no code execution.
/// </summary>
public sealed class TemplateContext
{
    public const string Mask = "********";

    private readonly IReadOnlyDictionary<string, JsonElement> _roots;

    private TemplateContext(IReadOnlyDictionary<string, JsonElement> roots, string bodyDocument, bool masked)
    {
        _roots = roots;
        BodyDocument = bodyDocument;
        IsMasked = masked;
    }

    /// <summary>The JSON a body expression reads: every root but <c>credentials</c>.</summary>
    public string BodyDocument { get; }

    /// <summary>True when credentials resolve to <see cref="Mask"/>: for what is shown and recorded.</summary>
    public bool IsMasked { get; }

    public static TemplateContext For(TemplateInputs inputs, bool maskCredentials = false)
    {
        var visible = new JsonObject
        {
            ["payload"] = JsonNode.Parse(inputs.Payload.GetRawText()),
            ["connection"] = new JsonObject
            {
                ["settings"] = ToObject(inputs.ConnectionSettings)
            },
            ["dispatch"] = new JsonObject
            {
                ["id"] = inputs.DispatchId.ToString(),
                ["tenant_id"] = inputs.TenantId
            },
            // Without a caller's key, the dispatch id: stable across retries, so providers can still dedupe.
            ["idempotency_key"] = inputs.IdempotencyKey ?? inputs.DispatchId.ToString(),
            ["now"] = inputs.Now.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ")
        };
        var bodyDocument = visible.ToJsonString();

        var credentials = inputs.Credentials ?? new Dictionary<string, string>();
        var roots = JsonSerializer.SerializeToElement(visible).EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.Clone());
        roots["credentials"] = JsonSerializer.SerializeToElement(
            credentials.ToDictionary(c => c.Key, c => maskCredentials ? Mask : c.Value));

        return new TemplateContext(roots, bodyDocument, maskCredentials);
    }

    /// <summary>Resolves a dotted path such as <c>payload.items.0.sku</c>; null when any step is missing.</summary>
    public JsonElement? Resolve(string path)
    {
        var steps = path.Split('.');
        if (!_roots.TryGetValue(steps[0], out var current)) return null;

        foreach (var step in steps.AsSpan(1))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(step, out var child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array
                     && int.TryParse(step, out var index) && index >= 0 && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    private static JsonObject ToObject(IReadOnlyDictionary<string, string>? values)
    {
        var result = new JsonObject();
        foreach (var (key, value) in values ?? new Dictionary<string, string>()) result[key] = value;
        return result;
    }
}
