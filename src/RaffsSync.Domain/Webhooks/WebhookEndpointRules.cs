namespace RaffsSync.Domain.Webhooks;

/// <summary>What a customer sets on an endpoint: everything but its identity, its owner and its secret.</summary>
public sealed record WebhookEndpointSettings(
    string Url,
    string? Description,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<string> TenantIds,
    bool Enabled,
    bool Ordered,
    int? RateLimit)
{
    public static WebhookEndpointSettings Of(WebhookEndpoint e) =>
        new(e.Url, e.Description, e.EventTypes, e.TenantIds, e.Enabled, e.Ordered, e.RateLimit);
}

/// <summary>
/// The rules of an endpoint's settings, who manages it, and what a change appends. Whether a URL's host may be reached
/// needs DNS and lives beside the HTTP client (WebhookEgress); <see cref="CheckUrl"/> is the part that needs none.
/// </summary>
public static class WebhookEndpointRules
{
    public const int MaxUrlLength = 2048, MaxEventTypes = 100, MinRateLimit = 1, MaxRateLimit = 1000;

    /// <summary>
    /// An absolute <c>https</c> URL (<c>http</c> only where <paramref name="allowHttp"/>), with a host and no user name or
    /// password in it; null when it is one, with the parsed URL in <paramref name="parsed"/>.
    /// </summary>
    public static FieldError? CheckUrl(string? url, bool allowHttp, out Uri? parsed)
    {
        parsed = null;
        if (string.IsNullOrWhiteSpace(url)) return new FieldError("url", "required", "the https URL that receives the messages");
        if (IdentifierLimits.Check("url", url, MaxUrlLength) is { } bad) return bad;
        // Uri also reads "/etc/passwd" as an absolute file: URL on Unix; the scheme test below refuses it.
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
            return new FieldError("url", "invalid", "an absolute https URL, such as https://hooks.example.com/raffssync");
        if (uri.Scheme == "http" && !allowHttp)
            return new FieldError("url", "https_required", "webhook URLs must use https (http is accepted only where RaffsSync:Webhooks:AllowHttp is set)");
        if (uri.UserInfo.Length > 0)
            return new FieldError("url", "invalid", "no user name or password in the URL; messages are authenticated by their signature");
        parsed = uri;
        return null;
    }

    /// <summary>One or more patterns (<see cref="WebhookEventTypes.IsValidPattern"/>), at most <see cref="MaxEventTypes"/>.</summary>
    public static IEnumerable<FieldError> CheckEventTypes(IReadOnlyList<string?>? eventTypes)
    {
        if (eventTypes is not { Count: > 0 })
        {
            yield return new FieldError("event_types", "required", "one or more event types or patterns, such as dispatch.failed, dispatch.* or *");
            yield break;
        }
        if (eventTypes.Count > MaxEventTypes)
        {
            yield return new FieldError("event_types", "too_many", $"at most {MaxEventTypes}");
            yield break;
        }
        for (var i = 0; i < eventTypes.Count; i++)
            if (!WebhookEventTypes.IsValidPattern(eventTypes[i]))
                yield return new FieldError($"event_types[{i}]", "invalid",
                    "an event type (dispatch.failed), a prefix pattern (dispatch.*) or *: letters, digits, '_' and '-' in '.'-separated parts");
    }

    public static FieldError? CheckRateLimit(int? rateLimit) =>
        rateLimit is < MinRateLimit or > MaxRateLimit
            ? new FieldError("rate_limit", "out_of_range", $"deliveries per second, {MinRateLimit} to {MaxRateLimit}; leave it out for no limit")
            : null;

    public static FieldError? CheckDescription(string? description) =>
        description is { Length: > IdentifierLimits.Reason } ? new FieldError("description", "too_long", $"at most {IdentifierLimits.Reason} characters") : null;

    /// <summary>Every tenant id named must be one of <paramref name="allowed"/>: the customer's locations (those the credential reaches).</summary>
    public static IEnumerable<FieldError> CheckTenants(IReadOnlyList<string?>? tenantIds, IReadOnlyCollection<string> allowed, string customerId)
    {
        var ids = tenantIds ?? [];
        for (var i = 0; i < ids.Count; i++)
        {
            var field = $"tenant_ids[{i}]";
            if (string.IsNullOrWhiteSpace(ids[i])) yield return new FieldError(field, "required", "a tenant id, not empty");
            else if (IdentifierLimits.Check(field, ids[i], IdentifierLimits.Id) is { } bad) yield return bad;
            else if (!allowed.Contains(ids[i]!)) yield return new FieldError(field, "unknown", $"'{ids[i]}' is not a location of customer {customerId}");
        }
    }

    /// <summary>
    /// The tenant ids an endpoint keeps: those named, once each; none means every location of the customer, except for a
    /// credential bound to some locations (<paramref name="boundTo"/>), which cannot subscribe beyond them: none means those.
    /// </summary>
    public static IReadOnlyList<string> Scope(IReadOnlyList<string?>? tenantIds, IReadOnlySet<string>? boundTo)
    {
        var named = (tenantIds ?? []).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return named.Count == 0 && boundTo is not null ? [.. boundTo.Order(StringComparer.Ordinal)] : named;
    }

    /// <summary>
    /// Whether a caller manages (sees, changes, deletes) an endpoint: internal callers every one; a customer's credentials
    /// their customer's, and one bound to some locations only endpoints limited to those.
    /// </summary>
    public static bool Manages(WebhookEndpoint endpoint, bool isInternal, string? customerId, IReadOnlySet<string>? boundTo) =>
        isInternal || (customerId is not null && endpoint.CustomerId == customerId
                       && (boundTo is null || endpoint.TenantIds.Count > 0 && endpoint.TenantIds.All(boundTo.Contains)));

    /// <summary>The event a change appends, with every member's new value; none when nothing changes.</summary>
    public static IReadOnlyList<object> Change(WebhookEndpoint current, WebhookEndpointSettings next, DateTimeOffset now)
    {
        var was = WebhookEndpointSettings.Of(current);
        var same = was.Url == next.Url && was.Description == next.Description && was.Enabled == next.Enabled
                   && was.Ordered == next.Ordered && was.RateLimit == next.RateLimit
                   && was.EventTypes.SequenceEqual(next.EventTypes) && was.TenantIds.SequenceEqual(next.TenantIds);
        return same
            ? []
            : [new WebhookEndpointChanged(current.Id, next.Url, next.Description, next.EventTypes, next.TenantIds, next.Enabled, next.Ordered,
                next.RateLimit, now)];
    }
}
