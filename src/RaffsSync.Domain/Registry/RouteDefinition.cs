using System.Text.Json.Serialization;
using System.Xml;

namespace RaffsSync.Domain.Registry;

// The JSON shape of PUT .../routes/{route_key}; RouteValidation checks a definition before it is stored. The XML comments
// below are the route template schema's descriptions in the OpenAPI document: they are written for route authors.

/// <summary>
/// How to perform one provider operation (kind <c>http</c>: only <c>kind</c>, <c>request.method</c> and <c>request.path</c> are
/// required), or how to handle one event the provider pushes (kinds <c>forward</c> and <c>chain</c>, with <c>event</c>).
/// </summary>
/// <param name="Kind">What the route does: <c>http</c> sends an HTTP request to the provider (dispatches run these); <c>forward</c> and <c>chain</c> handle an event the provider pushes (<c>event</c>): <c>forward</c> sends it to the location's webhook endpoints, <c>chain</c> turns it into a dispatch to another provider's route.</param>
/// <param name="Request">Kind <c>http</c> (required): the request to send. Only <c>http</c> routes have one.</param>
/// <param name="Success">The status codes that mean success; default any 2xx.</param>
/// <param name="Timeout">How long one attempt may wait for the answer, as an ISO 8601 duration (<c>PT10S</c>); default PT30S, at most PT5M.</param>
/// <param name="Auth">Where the connection's credentials go; absent when the provider needs none.</param>
/// <param name="Response">How records are read from the provider's JSON answer.</param>
/// <param name="ErrorRules">What an answer means, in order: the first rule whose status codes and body text match decides; otherwise <c>success</c>, then the status class.</param>
/// <param name="Backoff">How retries are spaced and bounded.</param>
/// <param name="Pagination">How a pull route fetches page after page.</param>
/// <param name="RateLimit">Calls per provider credential, held across all nodes: spaced evenly, at most <c>requests</c> in any span of <c>per</c>.</param>
/// <param name="Reconcile">For writes: the route that looks up whether a write that timed out happened.</param>
/// <param name="Event">Kinds <c>forward</c> and <c>chain</c> (required): the provider's event type the route handles, as the provider's <c>inbound.event_type</c> reads it (<c>order.created</c>). Every enabled route of the provider with this event handles each such push. Dispatches cannot run a route with an event.</param>
/// <param name="Forward">Kind <c>forward</c>: how the event is sent to the location's webhook endpoints.</param>
/// <param name="Chain">Kind <c>chain</c> (required): the dispatch the event becomes.</param>
public sealed record RouteDefinition(
    string Kind,
    RequestTemplate? Request = null,
    IReadOnlyList<int>? Success = null,
    string? Timeout = null,
    AuthPlacement? Auth = null,
    ResponseMapping? Response = null,
    IReadOnlyList<ErrorRule>? ErrorRules = null,
    Backoff? Backoff = null,
    Pagination? Pagination = null,
    RateLimit? RateLimit = null,
    Reconcile? Reconcile = null,
    string? Event = null,
    ForwardTarget? Forward = null,
    ChainTarget? Chain = null)
{
    public const string Http = "http", ForwardKind = "forward", ChainKind = "chain";

    /// <summary>An inbound route: it handles an event the provider pushes, and no dispatch can run it.</summary>
    [JsonIgnore]
    public bool IsInbound => Event is not null;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The timeout in force (<c>timeout</c>, else 30 seconds), as <c>hh:mm:ss</c>. Answered, never read.</summary>
    public TimeSpan EffectiveTimeout => Timeout is null ? DefaultTimeout : XmlConvert.ToTimeSpan(Timeout);

    public bool IsSuccess(int statusCode) =>
        Success is { Count: > 0 } ? Success.Contains(statusCode) : statusCode is >= 200 and < 300;
}

/// <summary>
/// The request a route sends. Path, query and header values are string templates: <c>{{payload.order_id}}</c> placeholders
/// are plain paths into <c>payload</c>, <c>connection</c>, <c>dispatch</c>, <c>idempotency_key</c> and <c>now</c>
/// (headers may also read <c>credentials</c>), URL-encoded where they land in the URL.
/// </summary>
/// <param name="Method">The HTTP method, in any case.</param>
/// <param name="Path">Joined to the provider's base URL; starts with <c>/</c>. A string template.</param>
/// <param name="Query">Query parameters by name; each value a string template.</param>
/// <param name="Headers">Headers by name (HTTP tokens); each value a string template, which may read <c>credentials</c>.</param>
/// <param name="Body">A JMESPath expression over <c>{payload, connection, dispatch, idempotency_key, now}</c> that builds the JSON body; <c>payload</c> sends the payload unchanged and null sends no body. It may not read <c>credentials</c>.</param>
public sealed record RequestTemplate(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string>? Query = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    string? Body = "payload");

/// <summary>Where the connection's credentials go. Values are string templates that may read <c>credentials</c> (<c>{{credentials.token}}</c>).</summary>
/// <param name="Type">How the credentials are sent; each type requires its own members.</param>
/// <param name="Token"><c>bearer</c> (required): the token.</param>
/// <param name="In"><c>api_key</c> (required): in a header or in the query.</param>
/// <param name="Name"><c>api_key</c> (required): the header or query parameter name.</param>
/// <param name="Value"><c>api_key</c> (required): the key.</param>
/// <param name="Username"><c>basic</c> (required): the user name.</param>
/// <param name="Password"><c>basic</c> (required): the password.</param>
/// <param name="TokenUrl"><c>oauth2_client_credentials</c> (required): the token endpoint, an absolute http(s) URL without <c>user:password@</c>. Tokens are cached until they expire.</param>
/// <param name="ClientId"><c>oauth2_client_credentials</c> (required): the client id.</param>
/// <param name="ClientSecret"><c>oauth2_client_credentials</c> (required): the client secret.</param>
/// <param name="Scope"><c>oauth2_client_credentials</c>: the scope to ask for.</param>
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
/// <param name="Records">Where the records are in the answer (<c>data</c>).</param>
/// <param name="Map">How each record is reshaped (<c>{id: id, total: total}</c>); stored for consumers of pulled records.</param>
public sealed record ResponseMapping(string? Records = null, string? Map = null);

/// <summary>One rule for the provider's answers. It needs <c>status</c>, <c>body_contains</c> or both; all that it names must match.</summary>
/// <param name="Status">The status codes it matches.</param>
/// <param name="BodyContains">Text the answer's body contains (case-sensitive).</param>
/// <param name="Action">What a match means: <c>retry</c> (within <c>backoff</c>), <c>fail</c>, <c>rate_limited</c> (retry after Retry-After, waiting at most <c>max_wait</c>) or <c>ignore</c> (a success).</param>
/// <param name="FailureType">With <c>fail</c>: the failure type recorded (<c>config</c> stands for <c>configuration</c>); default from the status: 401/403 configuration, other 4xx rejected, else provider.</param>
/// <param name="MaxWait">With <c>rate_limited</c>: the longest wait, as an ISO 8601 duration.</param>
public sealed record ErrorRule(
    IReadOnlyList<int>? Status = null,
    string? BodyContains = null,
    string Action = "fail",
    string? FailureType = null,
    string? MaxWait = null);

/// <summary>How retries are spaced and bounded.</summary>
/// <param name="Strategy"><c>exponential</c> doubles the wait after each attempt; <c>fixed</c> waits <c>initial</c> each time.</param>
/// <param name="Initial">The first wait, as an ISO 8601 duration.</param>
/// <param name="MaxAttempts">Attempts in all, the first included.</param>
/// <param name="Budget">How long all attempts together may take, as an ISO 8601 duration; past it the dispatch is dead-lettered.</param>
/// <param name="Jitter">Shorten each wait by up to half, at random, so many retries spread out.</param>
public sealed record Backoff(
    string Strategy = "exponential",
    string Initial = "PT1S",
    int MaxAttempts = 5,
    string Budget = "PT10M",
    bool Jitter = true);

/// <summary>For pull routes: how the next page is asked for.</summary>
/// <param name="Style"><c>none</c>, <c>page</c> or <c>offset</c> (<c>param</c>, <c>size_param</c>, <c>size</c>), <c>cursor</c> (<c>param</c>, <c>next</c>) or <c>link_header</c>.</param>
/// <param name="Param"><c>page</c>, <c>offset</c> and <c>cursor</c> (required): the query parameter that carries the page, offset or cursor.</param>
/// <param name="SizeParam"><c>page</c> and <c>offset</c>: the query parameter that carries the page size.</param>
/// <param name="Size"><c>page</c> and <c>offset</c>: the page size to ask for.</param>
/// <param name="Next"><c>cursor</c> (required): JMESPath to the next cursor in the answer; none ends the pages.</param>
/// <param name="MaxPages">Never more pages than this.</param>
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
/// <param name="RouteKey">Another route of the same provider, one that looks the write up.</param>
public sealed record Reconcile(string RouteKey);

/// <summary>At most <c>requests</c> calls per <c>per</c> for one credential.</summary>
/// <param name="Requests">Calls allowed in each period.</param>
/// <param name="Per">The period, as an ISO 8601 duration.</param>
public sealed record RateLimit(int Requests, string Per);

/// <summary>How a <c>forward</c> route sends the event to the location's webhook endpoints: as a message of type <c>{provider}.{event}</c> (<c>grafterr.pos_order.created</c>) whose data is the event's body.</summary>
/// <param name="EventType">The webhook event type to send it as, instead of <c>{provider}.{event}</c>: dot-separated parts of letters, digits, '_' and '-'.</param>
public sealed record ForwardTarget(string? EventType = null);

/// <summary>
/// How a <c>chain</c> route turns the event into a dispatch: to <c>route_key</c> of <c>provider</c>, pinned to that route's
/// current version, with the location's active connection to that provider in the inbound connection's environment, and
/// the payload <c>payload</c> builds. The dispatch is a normal one (retries, replay, audit); its <c>caused_by_inbound_event</c>
/// is the event.
/// </summary>
/// <param name="Provider">The provider of the route to dispatch to.</param>
/// <param name="RouteKey">The route to dispatch to: an enabled <c>http</c> route.</param>
/// <param name="Payload">A JMESPath expression over <c>{event, inbound, connection}</c> that builds the dispatch's payload: <c>event</c> is the pushed JSON body, <c>inbound</c> is <c>{id, provider, event_type, provider_event_id, received_at}</c>, <c>connection</c> is <c>{settings}</c> of the connection the event came in on. Default <c>event</c> (the body unchanged).</param>
public sealed record ChainTarget(string Provider, string RouteKey, string Payload = "event");
