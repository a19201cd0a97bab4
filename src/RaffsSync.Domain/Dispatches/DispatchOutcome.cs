using System.Xml;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Domain.Dispatches;

/// <summary>What one provider answer means for the dispatch, decided from the route alone.</summary>
public abstract record DispatchOutcome
{
    public static readonly TimeSpan DefaultRateLimitWait = TimeSpan.FromMinutes(5);

    public sealed record Succeeded : DispatchOutcome;

    public sealed record Failed(FailureType Type, string Reason) : DispatchOutcome;

    /// <param name="RequestedDelay">The provider's Retry-After, already capped by the route; null means use the backoff.</param>
    public sealed record Retry(string Reason, TimeSpan? RequestedDelay = null) : DispatchOutcome;

    public sealed record Unknown(string Reason) : DispatchOutcome;

    /// <summary>
    /// The route's <c>error_rules</c> first (in order, first match wins), then its <c>success</c>
    /// codes, then the defaults: 408 and 5xx retry; 429 waits for Retry-After; 401/403 fail as
    /// configuration; other 4xx fail as rejected.
    /// </summary>
    public static DispatchOutcome Classify(RouteDefinition route, ProviderCallResult result) => result switch
    {
        ProviderCallResult.Responded r => FromResponse(route, r),
        ProviderCallResult.Unreachable { EgressDenied: true } u => new Failed(FailureType.Configuration, $"The provider was not called: {u.Error}."),
        ProviderCallResult.Unreachable { TimedOut: true } u when route.Request is { } request && !IsIdempotent(request.Method) =>
            new Unknown($"No answer within the timeout ({u.Error}); the provider may have done the {request.Method.ToUpperInvariant()}."),
        ProviderCallResult.Unreachable u => new Retry($"The provider could not be reached: {u.Error}."),
        _ => throw new ArgumentOutOfRangeException(nameof(result))
    };

    private static DispatchOutcome FromResponse(RouteDefinition route, ProviderCallResult.Responded r)
    {
        var status = r.StatusCode;
        foreach (var rule in route.ErrorRules ?? [])
        {
            if (rule.Status is { Count: > 0 } && !rule.Status.Contains(status)) continue;
            if (rule.BodyContains is not null && !r.Body.Contains(rule.BodyContains, StringComparison.Ordinal)) continue;

            var reason = $"HTTP {status} matched error rule '{rule.Action}'.";
            return rule.Action switch
            {
                "ignore" => new Succeeded(),
                "retry" => new Retry(reason),
                "rate_limited" => new Retry(reason, Cap(r.RetryAfter, rule.MaxWait)),
                _ => new Failed(rule.FailureType is { } type ? Enum.Parse<FailureType>(RouteValidation.CanonicalFailureType(type), ignoreCase: true) : DefaultFailureType(status), reason)
            };
        }

        if (route.IsSuccess(status)) return new Succeeded();

        return status switch
        {
            429 => new Retry("The provider is rate limiting (HTTP 429).", Cap(r.RetryAfter, null)),
            408 or >= 500 => new Retry($"The provider failed (HTTP {status})."),
            401 or 403 => new Failed(FailureType.Configuration, $"The provider refused the credentials (HTTP {status})."),
            >= 400 => new Failed(FailureType.Rejected, $"The provider rejected the request (HTTP {status})."),
            _ => new Failed(FailureType.Provider, $"The provider answered with an unexpected status (HTTP {status}).")
        };
    }

    private static FailureType DefaultFailureType(int status) => status switch
    {
        401 or 403 => FailureType.Configuration,
        >= 400 and < 500 => FailureType.Rejected,
        _ => FailureType.Provider
    };

    private static TimeSpan? Cap(TimeSpan? retryAfter, string? maxWait)
    {
        if (retryAfter is null) return null;
        var cap = maxWait is null ? DefaultRateLimitWait : XmlConvert.ToTimeSpan(maxWait);
        return retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter > cap ? cap : retryAfter;
    }

    private static bool IsIdempotent(string method) => method.ToUpperInvariant() is "GET" or "HEAD" or "PUT" or "DELETE";
}
