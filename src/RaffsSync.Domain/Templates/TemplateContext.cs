using System.Text.Json;

namespace RaffsSync.Domain.Templates;

/// <summary>
/// What a template may read, and nothing else: named JSON roots such as <c>payload</c> and
/// <c>dispatch</c>. Lookups are plain property and index steps; there is no code execution.
/// </summary>
public sealed class TemplateContext(IReadOnlyDictionary<string, JsonElement> roots)
{
    public static TemplateContext ForDispatch(Guid dispatchId, string tenantId, JsonElement payload) =>
        new(new Dictionary<string, JsonElement>
        {
            ["payload"] = payload,
            ["dispatch"] = JsonSerializer.SerializeToElement(new Dictionary<string, string>
            {
                ["id"] = dispatchId.ToString(),
                ["tenant_id"] = tenantId
            })
        });

    /// <summary>Resolves a dotted path such as <c>payload.items.0.sku</c>; null when any step is missing.</summary>
    public JsonElement? Resolve(string path)
    {
        var steps = path.Split('.');
        if (!roots.TryGetValue(steps[0], out var current)) return null;

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
}
