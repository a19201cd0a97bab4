namespace RaffsSync.Api.WebConsole;

/// <summary>A replay as the console's forms post it; the API validates it like any other.</summary>
public sealed class ReplayForm
{
    public string? RouteVersion { get; set; } = "pinned";
    public string? Reason { get; set; }
    public string? IdempotencyKey { get; set; }
}
