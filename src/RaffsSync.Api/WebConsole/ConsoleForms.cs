using System.Text.Json;

namespace RaffsSync.Api.WebConsole;

/// <summary>A route version as the console shows it: the definition kept as the API wrote it, to print and compare.</summary>
public sealed record RouteVersionEntry(int Version, JsonElement Definition, DateTimeOffset DefinedAt, string? DefinedBy, string? RequestId)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Text => JsonSerializer.Serialize(Definition, Indented);
}

/// <summary>A render dry run as the route page's form posts it.</summary>
public sealed class RenderForm
{
    public string? TenantId { get; set; }
    public string? Payload { get; set; } = "{}";
    public int? Version { get; set; }
}

/// <summary>A webhook recovery window as the endpoint page's form posts it, in UTC.</summary>
public sealed class RecoverForm
{
    public string? Since { get; set; }
    public string? Until { get; set; }
}
