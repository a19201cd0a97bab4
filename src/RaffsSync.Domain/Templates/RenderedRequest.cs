namespace RaffsSync.Domain.Templates;

/// <summary>Exactly what is sent to a provider: method, absolute URL, headers and body text.</summary>
public sealed record RenderedRequest(
    string Method,
    string Url,
    IReadOnlyDictionary<string, string> Headers,
    string? Body);
