namespace RaffsSync.Domain.Access;

/// <summary>
/// A credential (API key or OAuth client) someone asks for. <see cref="Locations"/> null means
/// "not said" (it defaults to the issuer's); an empty list means every location of the customer.
/// </summary>
public sealed record ApiKeyRequest(
    string Name,
    ProviderEnvironment Environment,
    CallerClass CallerClass,
    IReadOnlyList<string> Scopes,
    string? CustomerId,
    IReadOnlyList<string>? Locations,
    DateTimeOffset? ExpiresAt = null,
    string? Provider = null);

/// <summary>
/// Who is issuing a credential, on every axis that bounds what they may give. <see cref="Locations"/>
/// is what the issuer reaches now; <see cref="LocationBound"/> says whether its credential names
/// them (rather than reaching every location of its customer).
/// </summary>
public sealed record KeyIssuer(
    CallerClass CallerClass,
    IReadOnlyList<string> Scopes,
    string? CustomerId,
    IReadOnlyList<string> Locations,
    bool LocationBound = false,
    ProviderEnvironment Environment = ProviderEnvironment.Production,
    string? Provider = null,
    DateTimeOffset? ExpiresAt = null);

/// <summary>Why a key may not be issued: the API answers <see cref="Status"/> with <see cref="Code"/>.</summary>
public sealed record IssueRefusal(int Status, string Code, string Message, FieldError Detail);

public static class ApiKeyIssue
{
    /// <summary>The 403 code for a credential wider than its issuer in environment, expiry, provider or locations.</summary>
    public const string BroaderThanIssuer = "credential_broader_than_issuer";

    /// <summary>The event that records a new key, and the secret to show its owner exactly once.</summary>
    public static (ApiKeyCreated Created, string Secret) Issue(ApiKeyRequest request, DateTimeOffset now)
    {
        var unknown = request.Scopes.Where(s => !Scopes.IsKnown(s)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"Unknown scope(s): {string.Join(", ", unknown)}.", nameof(request));

        var secret = ApiKeySecret.Generate(request.Environment);
        var created = new ApiKeyCreated(
            Guid.CreateVersion7(now),
            request.Name,
            ApiKeySecret.DisplayPrefix(secret),
            ApiKeySecret.Hash(secret),
            request.Environment,
            request.CallerClass,
            request.Scopes.Distinct().ToArray(),
            request.CustomerId,
            (request.Locations ?? []).Distinct().ToArray(),
            now,
            request.ExpiresAt,
            request.Provider);
        return (created, secret);
    }

    /// <summary>
    /// Nobody gives more than they hold. Every issuer is bounded by its scopes, environment and
    /// expiry; a non-internal issuer also by its class, customer, provider and locations. What the
    /// request leaves out (customer, provider, locations, expiry) is taken from the issuer. Answers
    /// the request as it will be issued, or why it is refused.
    /// </summary>
    public static (ApiKeyRequest? Bounded, IssueRefusal? Refusal) Bound(KeyIssuer issuer, ApiKeyRequest request, DateTimeOffset now)
    {
        var internalIssuer = issuer.CallerClass == CallerClass.Internal;
        var bounded = request with
        {
            CustomerId = request.CallerClass == CallerClass.Internal ? null : request.CustomerId ?? (internalIssuer ? null : issuer.CustomerId),
            Provider = request.CallerClass != CallerClass.Partner ? null : request.Provider ?? issuer.Provider,
            ExpiresAt = request.ExpiresAt ?? issuer.ExpiresAt,
            Locations = request.CallerClass == CallerClass.Internal ? []
                : request.Locations ?? (issuer.LocationBound && !internalIssuer ? issuer.Locations : [])
        };
        return Refusal(issuer, bounded, now) is { } refusal ? (null, refusal) : (bounded, null);
    }

    private static IssueRefusal? Refusal(KeyIssuer issuer, ApiKeyRequest bounded, DateTimeOffset now)
    {
        if (bounded.ExpiresAt is { } expires && expires <= now)
            return new IssueRefusal(400, "validation_failed", "The key would already be expired.", new FieldError("expires_at", "in_the_past"));
        if (bounded.CallerClass == CallerClass.Partner && string.IsNullOrWhiteSpace(bounded.Provider))
            return new IssueRefusal(400, "validation_failed", "A partner credential belongs to one provider.", new FieldError("provider", "required"));
        if (issuer.CallerClass != CallerClass.Internal && bounded.CallerClass != issuer.CallerClass)
            return new IssueRefusal(403, "caller_class_forbidden",
                $"A {Name(issuer.CallerClass)} credential may issue only {Name(issuer.CallerClass)} credentials, not {Name(bounded.CallerClass)} ones.",
                new FieldError("caller_class", "forbidden", Name(issuer.CallerClass)));
        if (bounded.CallerClass == CallerClass.Customer && string.IsNullOrWhiteSpace(bounded.CustomerId))
            return new IssueRefusal(400, "validation_failed", "A customer credential belongs to one customer.",
                new FieldError("customer_id", "required", "send customer_id for a customer credential, or caller_class internal"));
        var extraScopes = bounded.Scopes.Except(issuer.Scopes).ToArray();
        if (extraScopes.Length > 0)
            return new IssueRefusal(403, "insufficient_scope", $"A key cannot be given scopes its issuer lacks: {string.Join(", ", extraScopes)}.",
                new FieldError("scopes", "not_held", string.Join(", ", extraScopes)));
        if (issuer.Environment == ProviderEnvironment.Sandbox && bounded.Environment != ProviderEnvironment.Sandbox)
            return Broader("A sandbox credential cannot issue a production one.", new FieldError("environment", "broader_than_issuer", "sandbox"));
        if (issuer.ExpiresAt is { } issuerExpires && bounded.ExpiresAt > issuerExpires)
            return Broader($"The credential would outlive its issuer, which expires at {issuerExpires:O}.",
                new FieldError("expires_at", "broader_than_issuer", $"at most {issuerExpires:O}"));
        if (issuer.CallerClass == CallerClass.Internal) return null;

        if (bounded.CustomerId != issuer.CustomerId)
            return new IssueRefusal(404, "not_found", $"Customer '{bounded.CustomerId}' was not found.", new FieldError("customer_id", "unknown"));
        if (issuer.Provider is not null && bounded.Provider != issuer.Provider)
            return Broader($"A credential of provider '{issuer.Provider}' can issue credentials for that provider only.",
                new FieldError("provider", "broader_than_issuer", issuer.Provider));
        var foreign = bounded.Locations!.Except(issuer.Locations).ToArray();
        if (foreign.Length > 0)
            return new IssueRefusal(404, "not_found", $"Location '{foreign[0]}' was not found.", new FieldError("locations", "unknown", foreign[0]));
        if (issuer.LocationBound && bounded.Locations!.Count == 0)
            return Broader("An empty list means every location of the customer, more than the issuer reaches; name some of its locations.",
                new FieldError("locations", "broader_than_issuer", string.Join(", ", issuer.Locations)));
        return null;
    }

    private static IssueRefusal Broader(string message, FieldError detail) => new(403, BroaderThanIssuer, message, detail);

    private static string Name(CallerClass callerClass) => callerClass.ToString().ToLowerInvariant();
}

/// <summary>
/// Which keys a caller may list and revoke: its own, and those it could have issued itself. A key
/// limited to one location must not see or revoke the customer's broader keys (a leaked per-location
/// key could otherwise lock the customer out of its main key).
/// </summary>
public static class KeyManagement
{
    public static bool Manages(KeyIssuer issuer, string issuerId, ApiKey key)
    {
        if (issuer.CallerClass == CallerClass.Internal || key.Id.ToString() == issuerId) return true;
        if (issuer.CustomerId is null || key.CustomerId != issuer.CustomerId) return false;
        if (key.CallerClass != issuer.CallerClass || key.Scopes.Except(issuer.Scopes).Any()) return false;
        if (issuer.Environment == ProviderEnvironment.Sandbox && key.Environment != ProviderEnvironment.Sandbox) return false;
        if (issuer.Provider is not null && key.Provider != issuer.Provider) return false;
        if (issuer.ExpiresAt is { } expires && (key.ExpiresAt is not { } keyExpires || keyExpires > expires)) return false;
        return !issuer.LocationBound || (key.Locations.Count > 0 && key.Locations.All(issuer.Locations.Contains));
    }
}
