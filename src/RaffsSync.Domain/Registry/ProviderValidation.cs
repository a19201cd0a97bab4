namespace RaffsSync.Domain.Registry;

public static class ProviderValidation
{
    public static readonly IReadOnlyList<string> AuthKinds = ["none", "bearer", "api_key", "basic", "oauth2_client_credentials"];

    /// <param name="egress">When given, base URLs whose host is a literal IP address must be one these rules let calls reach.</param>
    public static IReadOnlyList<FieldError> Validate(string? key, string? name, string? authKind,
        IReadOnlyDictionary<string, string>? baseUrls, EgressRules? egress = null)
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

        var seen = new HashSet<ProviderEnvironment>();
        foreach (var (environment, url) in baseUrls)
        {
            if (!TryParseEnvironment(environment, out var parsed))
                errors.Add(new($"base_urls.{environment}", "unknown_environment", "'sandbox' or 'production'"));
            else if (!seen.Add(parsed))
                errors.Add(new($"base_urls.{environment}", "duplicate", "each environment once"));
            else if (!IsBaseUrl(url))
                errors.Add(new($"base_urls.{environment}", "invalid", "an absolute http(s) URL, or a path on this service such as /sandbox"));
            else if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
            {
                // Credentials in a base URL would be stored with the provider and shown in every attempt's URL.
                if (absolute.UserInfo.Length > 0)
                    errors.Add(new($"base_urls.{environment}", "credentials_in_url", "no user:password@ in base URLs; credentials belong in connections"));
                else if (egress?.RefusalForLiteralAddress(absolute) is { } refusal)
                    errors.Add(new($"base_urls.{environment}", "egress_denied", refusal));
            }
        }
        return errors;
    }

    /// <summary>Only the names: Enum.TryParse would also take "1" or "sandbox,production".</summary>
    public static bool TryParseEnvironment(string? name, out ProviderEnvironment environment)
    {
        environment = ProviderEnvironment.Sandbox;
        var known = name?.ToLowerInvariant() is "sandbox" or "production";
        return known && Enum.TryParse(name, ignoreCase: true, out environment);
    }

    /// <summary>An absolute http(s) URL without a query, or a path (<c>/sandbox</c>) meaning this service itself.</summary>
    private static bool IsBaseUrl(string? url) =>
        url is ['/', not '/', ..] && !url.Contains('?')
        || Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && string.IsNullOrEmpty(uri.Query);
}
