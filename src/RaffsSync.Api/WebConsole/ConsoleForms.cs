using System.Text.Json;

namespace RaffsSync.Api.WebConsole;

/// <summary>A route version as the console shows it: the definition kept as the API wrote it, to print and compare.</summary>
public sealed record RouteVersionEntry(int Version, JsonElement Definition, DateTimeOffset DefinedAt, string? DefinedBy, string? RequestId)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Text => JsonSerializer.Serialize(Definition, Indented);
}

/// <summary>A payload typed into a console form: JSON, or a sentence saying why not (the API is not called with it).</summary>
public static class PayloadText
{
    public static bool TryParse(string? text, out JsonElement payload, out string? problem)
    {
        try
        {
            payload = JsonSerializer.Deserialize<JsonElement>(text ?? "");
            problem = null;
            return true;
        }
        catch (JsonException bad)
        {
            payload = default;
            problem = bad.LineNumber is { } line
                ? $"The payload is not JSON: check line {line + 1}, near position {bad.BytePositionInLine + 1} (a missing quote, comma or bracket?)."
                : "The payload is not JSON, or nests deeper than 64 levels.";
            return false;
        }
    }
}

/// <summary>A new dispatch as the console's form posts it.</summary>
public sealed class DispatchForm
{
    public string? Provider { get; set; }
    public string? RouteKey { get; set; }
    public string? TenantId { get; set; }
    public string? Payload { get; set; }
    public string? IdempotencyKey { get; set; }
}

/// <summary>A render dry run as the route page's form posts it.</summary>
public sealed class RenderForm
{
    public string? TenantId { get; set; }
    public string? Payload { get; set; } = "{}";
    public string? Version { get; set; }
}

/// <summary>A webhook recovery window as the endpoint page's form posts it, in UTC.</summary>
public sealed class RecoverForm
{
    public string? FormKey { get; set; }
    public string? Since { get; set; }
    public string? Until { get; set; }
}
