using System.Xml;

namespace RaffsSync.Domain.Registry;

/// <summary>
/// How to perform one provider operation; the JSON shape of <c>PUT .../routes/{route_key}</c>.
/// Only <c>kind</c>, <c>request.method</c> and <c>request.path</c> are required. Durations are
/// ISO 8601 (<c>PT10S</c>). <see cref="RouteValidation"/> checks a definition before it is stored.
/// </summary>
public sealed record RouteDefinition(
    string Kind,
    RequestTemplate Request,
    IReadOnlyList<int>? Success = null,
    string? Timeout = null,
    AuthPlacement? Auth = null,
    ResponseMapping? Response = null,
    IReadOnlyList<ErrorRule>? ErrorRules = null,
    Backoff? Backoff = null,
    Pagination? Pagination = null,
    RateLimit? RateLimit = null,
    Reconcile? Reconcile = null)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public TimeSpan EffectiveTimeout => Timeout is null ? DefaultTimeout : XmlConvert.ToTimeSpan(Timeout);

    public bool IsSuccess(int statusCode) =>
        Success is { Count: > 0 } ? Success.Contains(statusCode) : statusCode is >= 200 and < 300;
}

/// <summary>
/// Path, query and header values are string templates (<c>{{payload.order_id}}</c>), URL-encoded
/// where they land in the URL. <see cref="Body"/> is a JMESPath expression over
/// <c>{payload, connection, dispatch, idempotency_key, now}</c>; <c>payload</c> sends the payload
/// unchanged and null sends no body.
/// </summary>
public sealed record RequestTemplate(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string>? Query = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    string? Body = "payload");

/// <summary>
/// Where the connection's credentials go: <c>bearer</c> (<see cref="Token"/>), <c>api_key</c>
/// (<see cref="Name"/> and <see cref="Value"/>, <see cref="In"/> header or query), <c>basic</c>
/// (<see cref="Username"/>, <see cref="Password"/>) or <c>oauth2_client_credentials</c>
/// (<see cref="TokenUrl"/>, <see cref="ClientId"/>, <see cref="ClientSecret"/>, <see cref="Scope"/>).
/// Values are string templates and may read <c>credentials</c>.
/// </summary>
public sealed record AuthPlacement(
    string Type,
    string? Token = null,
    string? In = null,
    string? Name = null,
    string? Value = null,
    string? Username = null,
    string? Password = null,
    string? TokenUrl = null,
    string? ClientId = null,
    string? ClientSecret = null,
    string? Scope = null);

/// <summary>JMESPath over the provider's JSON answer: which records, and how each is reshaped.</summary>
public sealed record ResponseMapping(string? Records = null, string? Map = null);

/// <summary>
/// Ordered: the first rule whose status codes and body text match decides. Actions:
/// <c>retry</c>, <c>fail</c>, <c>rate_limited</c> (wait for Retry-After, at most <see cref="MaxWait"/>), <c>ignore</c>.
/// </summary>
public sealed record ErrorRule(
    IReadOnlyList<int>? Status = null,
    string? BodyContains = null,
    string Action = "fail",
    string? FailureType = null,
    string? MaxWait = null);

public sealed record Backoff(
    string Strategy = "exponential",
    string Initial = "PT1S",
    int MaxAttempts = 5,
    string Budget = "PT10M",
    bool Jitter = true);

/// <summary>
/// For pull routes: <c>none</c>, <c>page</c>/<c>offset</c> (<see cref="Param"/>, <see cref="SizeParam"/>,
/// <see cref="Size"/>), <c>cursor</c> (<see cref="Param"/> and the JMESPath <see cref="Next"/>
/// to the next cursor) or <c>link_header</c>; never more than <see cref="MaxPages"/> pages.
/// </summary>
public sealed record Pagination(
    string Style = "none",
    string? Param = null,
    string? SizeParam = null,
    int? Size = null,
    string? Next = null,
    int MaxPages = 100);

/// <summary>
/// For writes: when one times out, ask the provider with this route (same provider, same inputs)
/// whether it happened. A success means it did; a 404 means it did not, so the write is retried;
/// anything else leaves the dispatch <c>outcome_unknown</c>.
/// </summary>
public sealed record Reconcile(string RouteKey);

/// <summary>At most <see cref="Requests"/> calls per <see cref="Per"/> for one credential.</summary>
public sealed record RateLimit(int Requests, string Per);
