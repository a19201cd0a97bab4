using System.Text.RegularExpressions;
using RaffsSync.Domain.Inbound;

namespace RaffsSync.Domain.Registry;

public static partial class ProviderValidation
{
    public static readonly IReadOnlyList<string> AuthKinds = ["none", "bearer", "api_key", "basic", "oauth2_client_credentials"];

    /// <summary>The built-in sandbox provider's key: the only provider whose pushes may go unsigned (signature type <c>none</c>).</summary>
    public const string SandboxKey = "sandbox";

    public static readonly TimeSpan MaxTolerance = TimeSpan.FromDays(1);
    public static readonly TimeSpan MaxDedupeWindow = TimeSpan.FromDays(365);
    public const int MaxPrefixLength = 100;
    public const int MaxSignedContentLength = 200;

    [GeneratedRegex(RouteValidation.HeaderNamePattern)]
    private static partial Regex HeaderName();

    [GeneratedRegex(@"^hmac-sha256:[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,100}$")]
    private static partial Regex Shorthand();

    /// <param name="egress">When given, base URLs whose host is a literal IP address must be one these rules let calls reach.</param>
    /// <param name="inbound">The provider's <c>inbound</c> object, if it has one.</param>
    /// <param name="inboundSignature">The shorthand <c>inbound_signature</c>, if given.</param>
    public static IReadOnlyList<FieldError> Validate(string? key, string? name, string? authKind,
        IReadOnlyDictionary<string, string>? baseUrls, EgressRules? egress = null, InboundSettings? inbound = null,
        string? inboundSignature = null)
    {
        var errors = new List<FieldError>();
        if (!RouteValidation.IsValidKey(key))
            errors.Add(new("key", string.IsNullOrWhiteSpace(key) ? "required" : "invalid", "letters, digits, '.', '_' and '-', at most 100"));
        if (string.IsNullOrWhiteSpace(name)) errors.Add(new("name", "required"));
        if (authKind is not null && !AuthKinds.Contains(authKind))
            errors.Add(new("auth_kind", "unsupported", $"one of {string.Join(", ", AuthKinds)}"));
        if (inboundSignature is not null && !Shorthand().IsMatch(inboundSignature))
            errors.Add(new("inbound_signature", "invalid", "hmac-sha256:<Header> (HMAC-SHA256 of the body, hex, in that header); other schemes go in 'inbound'"));
        if (inbound is not null) ValidateInbound(key, inbound, errors);

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

    private static void ValidateInbound(string? key, InboundSettings inbound, List<FieldError> errors)
    {
        if (InboundExpression.Validate(inbound.EventType, "inbound.event_type") is { } eventType) errors.Add(eventType);
        if (InboundExpression.Validate(inbound.EventId, "inbound.event_id") is { } eventId) errors.Add(eventId);
        RouteValidation.ValidateDuration(inbound.DedupeWindow, "inbound.dedupe_window", errors, MaxDedupeWindow);

        if (inbound.Signature is not { } signature)
        {
            errors.Add(new("inbound.signature", "required", "how pushes are verified: {\"type\": \"hmac_sha256\", \"header\": \"X-Signature\"}"));
            return;
        }

        const string field = "inbound.signature";
        void NotFor(string? value, string member, string forTypes)
        {
            if (value is not null) errors.Add(new($"{field}.{member}", "not_applicable", $"only for {forTypes}"));
        }
        void CredentialName(string? value, string member)
        {
            if (value is not null && !RouteValidation.IsValidKey(value))
                errors.Add(new($"{field}.{member}", "invalid", "the name of a connection credential: letters, digits, '.', '_' and '-'"));
        }
        void Header(string? value, string member, bool required)
        {
            if (value is null)
            {
                if (required) errors.Add(new($"{field}.{member}", "required", "the request header that carries it"));
            }
            else if (!HeaderName().IsMatch(value)) errors.Add(new($"{field}.{member}", "invalid", "an HTTP header name"));
        }

        var isHmac = signature.Type == SignatureScheme.HmacSha256;
        var usesHeader = isHmac || signature.Type == SignatureScheme.Token;
        switch (signature.Type)
        {
            case SignatureScheme.HmacSha256 or SignatureScheme.Token:
                Header(signature.Header, "header", required: true);
                CredentialName(signature.Secret, "secret");
                break;
            case SignatureScheme.Basic:
                CredentialName(signature.Username, "username");
                CredentialName(signature.Password, "password");
                break;
            case SignatureScheme.None:
                if (key != SandboxKey)
                    errors.Add(new($"{field}.type", "forbidden", "unsigned pushes are for the built-in sandbox only; use hmac_sha256, token or basic"));
                break;
            default:
                errors.Add(new($"{field}.type", string.IsNullOrWhiteSpace(signature.Type) ? "required" : "unsupported",
                    $"one of {string.Join(", ", SignatureScheme.Types)}"));
                return;
        }

        if (!usesHeader)
        {
            NotFor(signature.Header, "header", "hmac_sha256 and token");
            NotFor(signature.Prefix, "prefix", "hmac_sha256 and token");
            NotFor(signature.Secret, "secret", "hmac_sha256 and token");
        }
        if (signature.Type != SignatureScheme.Basic)
        {
            NotFor(signature.Username, "username", "basic");
            NotFor(signature.Password, "password", "basic");
        }
        if (signature.Prefix is { } prefix && IdentifierLimits.Check($"{field}.prefix", prefix, MaxPrefixLength) is { } badPrefix)
            errors.Add(badPrefix);

        if (!isHmac)
        {
            NotFor(signature.Encoding, "encoding", "hmac_sha256");
            NotFor(signature.SignedContent, "signed_content", "hmac_sha256");
            NotFor(signature.TimestampHeader, "timestamp_header", "hmac_sha256");
            NotFor(signature.Tolerance, "tolerance", "hmac_sha256");
            return;
        }

        if (signature.Encoding is not null && !SignatureScheme.Encodings.Contains(signature.Encoding))
            errors.Add(new($"{field}.encoding", "unsupported", "'hex' or 'base64'"));
        Header(signature.TimestampHeader, "timestamp_header", required: false);
        RouteValidation.ValidateDuration(signature.Tolerance, $"{field}.tolerance", errors, MaxTolerance);
        if (signature.Tolerance is not null && signature.TimestampHeader is null)
            errors.Add(new($"{field}.tolerance", "not_applicable", "only with timestamp_header"));

        var content = signature.EffectiveSignedContent;
        var placeholders = content.Replace(SignatureScheme.BodyPlaceholder, "").Replace(SignatureScheme.TimestampPlaceholder, "");
        if (content.Length > MaxSignedContentLength || content.Any(char.IsControl))
            errors.Add(new($"{field}.signed_content", "invalid", $"at most {MaxSignedContentLength} characters, no control characters"));
        else if (!content.Contains(SignatureScheme.BodyPlaceholder, StringComparison.Ordinal))
            errors.Add(new($"{field}.signed_content", "invalid", "it must sign the body: include {body}"));
        else if (placeholders.Contains('{') || placeholders.Contains('}'))
            errors.Add(new($"{field}.signed_content", "invalid_template", "the only placeholders are {body} and {timestamp}"));
        else if (content.Contains(SignatureScheme.TimestampPlaceholder, StringComparison.Ordinal) && signature.TimestampHeader is null)
            errors.Add(new($"{field}.timestamp_header", "required", "signed_content reads {timestamp}"));
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
