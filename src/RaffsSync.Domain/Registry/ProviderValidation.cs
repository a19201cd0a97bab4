namespace RaffsSync.Domain.Registry;

public static class ProviderValidation
{
    public static readonly IReadOnlyList<string> AuthKinds = ["none", "bearer", "api_key", "basic", "oauth2_client_credentials"];

    public static IReadOnlyList<FieldError> Validate(string? key, string? name, string? authKind,
        IReadOnlyDictionary<string, string>? baseUrls)
    {
        var errors = new List<FieldError>();
        if (!RouteValidation.IsValidKey(key))
            errors.Add(new("key", string.IsNullOrWhiteSpace(key) ? "required" : "invalid", "letters, digits, '.', '_' and '-', at most 100"));
        if (string.IsNullOrWhiteSpace(name)) errors.Add(new("name", "required"));
        if (authKind is not null && !AuthKinds.Contains(authKind))
            errors.Add(new("auth_kind", "unsupported", $"one of {string.Join(", ", AuthKinds)}"));

        if (baseUrls is not { Count: > 0 })
        {
            errors.Add(new("base_urls", "required", "at least one of 'sandbox' and 'production'"));
            return errors;
        }

        foreach (var (environment, url) in baseUrls)
        {
            if (!Enum.TryParse<ProviderEnvironment>(environment, ignoreCase: true, out _))
                errors.Add(new($"base_urls.{environment}", "unknown_environment", "'sandbox' or 'production'"));
            else if (!IsBaseUrl(url))
                errors.Add(new($"base_urls.{environment}", "invalid", "an absolute http(s) URL, or a path on this service such as /sandbox"));
        }
        return errors;
    }

    /// <summary>An absolute http(s) URL without a query, or a path (<c>/sandbox</c>) meaning this service itself.</summary>
    private static bool IsBaseUrl(string? url) =>
        url is ['/', not '/', ..] && !url.Contains('?')
        || Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && string.IsNullOrEmpty(uri.Query);
}
