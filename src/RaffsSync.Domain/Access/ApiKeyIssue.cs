namespace RaffsSync.Domain.Access;

public sealed record ApiKeyRequest(
    string Name,
    ProviderEnvironment Environment,
    CallerClass CallerClass,
    IReadOnlyList<string> Scopes,
    string? CustomerId,
    IReadOnlyList<string> Locations,
    DateTimeOffset? ExpiresAt = null,
    string? Provider = null);

/// <summary>Who is issuing a key: what they hold bounds what they may give.</summary>
public sealed record KeyIssuer(CallerClass CallerClass, IReadOnlyList<string> Scopes, string? CustomerId, IReadOnlyList<string> Locations);

/// <summary>Why a key may not be issued: the API answers <see cref="Status"/> with <see cref="Code"/>.</summary>
public sealed record IssueRefusal(int Status, string Code, string Message, FieldError Detail);

public static class ApiKeyIssue
{
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
            request.Locations.Distinct().ToArray(),
            now,
            request.ExpiresAt,
            request.Provider);
        return (created, secret);
    }

    /// <summary>
    /// Nobody gives more than they hold: internal callers may issue any key; everyone else only
    /// customer keys for their own customer, with scopes and locations they hold themselves.
    /// </summary>
    public static IssueRefusal? Refusal(KeyIssuer issuer, ApiKeyRequest request, DateTimeOffset now)
    {
        if (request.ExpiresAt is { } expires && expires <= now)
            return new IssueRefusal(400, "validation_failed", "The key would already be expired.", new FieldError("expires_at", "in_the_past"));
        if (request.CallerClass == CallerClass.Partner && string.IsNullOrWhiteSpace(request.Provider))
            return new IssueRefusal(400, "validation_failed", "A partner credential belongs to one provider.", new FieldError("provider", "required"));
        if (issuer.CallerClass == CallerClass.Internal) return null;

        if (request.CallerClass != CallerClass.Customer)
            return new IssueRefusal(403, "caller_class_forbidden", $"Only internal callers may issue {request.CallerClass.ToString().ToLowerInvariant()} keys.",
                new FieldError("caller_class", "forbidden"));
        var extraScopes = request.Scopes.Except(issuer.Scopes).ToArray();
        if (extraScopes.Length > 0)
            return new IssueRefusal(403, "insufficient_scope", $"A key cannot be given scopes its issuer lacks: {string.Join(", ", extraScopes)}.",
                new FieldError("scopes", "not_held", string.Join(", ", extraScopes)));
        var foreign = request.Locations.Except(issuer.Locations).ToArray();
        if (foreign.Length > 0)
            return new IssueRefusal(404, "not_found", $"Location '{foreign[0]}' was not found.", new FieldError("locations", "unknown", foreign[0]));
        if (request.CustomerId != issuer.CustomerId)
            return new IssueRefusal(404, "not_found", $"Customer '{request.CustomerId}' was not found.", new FieldError("customer_id", "unknown"));
        return null;
    }
}
