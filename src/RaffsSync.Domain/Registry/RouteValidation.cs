using System.Text.RegularExpressions;
using System.Xml;
using RaffsSync.Domain.Inbound;
using RaffsSync.Domain.Templates;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Domain.Registry;

/// <summary>Checks a route definition before it is stored; every problem names its field.</summary>
public static partial class RouteValidation
{
    public static readonly IReadOnlyList<string> Kinds = [RouteDefinition.Http, RouteDefinition.ForwardKind, RouteDefinition.ChainKind];
    public static readonly IReadOnlyList<string> Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
    public static readonly IReadOnlyList<string> AuthTypes = ["bearer", "api_key", "basic", "oauth2_client_credentials"];
    public static readonly IReadOnlyList<string> Actions = ["retry", "fail", "rate_limited", "ignore"];
    public static readonly IReadOnlyList<string> FailureTypes = ["rejected", "configuration", "provider"];

    /// <summary>API.md's route example writes <c>"config"</c>: accepted as <c>configuration</c>.</summary>
    public const string ConfigurationAlias = "config";

    /// <summary>The failure types a rule may name: <see cref="FailureTypes"/> and the alias.</summary>
    public static readonly IReadOnlyList<string> FailureTypeSpellings = [.. FailureTypes, ConfigurationAlias];

    public static string CanonicalFailureType(string type) =>
        type.Equals(ConfigurationAlias, StringComparison.OrdinalIgnoreCase) ? "configuration" : type;
    public static readonly IReadOnlyList<string> PaginationStyles = ["none", "page", "offset", "cursor", "link_header"];
    public static readonly IReadOnlyList<string> BackoffStrategies = ["exponential", "fixed"];
    public static readonly IReadOnlyList<string> ApiKeyPlacements = ["header", "query"];

    /// <summary>What URL, query and body templates may read. Headers and auth may also read <c>credentials</c>.</summary>
    public static readonly IReadOnlyList<string> TemplateRoots = ["payload", "connection", "dispatch", "idempotency_key", "now"];

    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);
    public const int MaxErrorRules = 50;
    public const int MaxBodyContainsLength = 1000;
    public const int MaxStatusCodes = 100;
    public const int MinStatusCode = 100, MaxStatusCode = 599;
    public const int MaxQueryOrHeaders = 50;
    public const int MaxBackoffAttempts = 50;
    public const int MaxPages = 1000;

    /// <summary>Provider keys and route keys.</summary>
    public const string KeyPattern = @"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$";

    /// <summary>An HTTP token (RFC 9110), at most 100 characters.</summary>
    public const string HeaderNamePattern = @"^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,100}$";

    [GeneratedRegex(@"\bcredentials\b")]
    private static partial Regex ReadsCredentials();

    [GeneratedRegex(HeaderNamePattern)]
    private static partial Regex HeaderName();

    [GeneratedRegex(KeyPattern)]
    private static partial Regex Key();

    /// <summary>Provider keys and route keys: letters, digits, '.', '_' and '-', at most 100 characters.</summary>
    public static bool IsValidKey(string? key) => key is not null && Key().IsMatch(key);

    /// <param name="routeKey">The route's own key, when known: a route cannot be its own reconcile lookup.</param>
    public static IReadOnlyList<FieldError> Validate(RouteDefinition? route, string? routeKey = null)
    {
        var errors = new List<FieldError>();
        if (route is null) return [new FieldError("body", "required")];

        if (string.IsNullOrWhiteSpace(route.Kind)) errors.Add(new("kind", "required"));
        else if (!Kinds.Contains(route.Kind)) errors.Add(new("kind", "unsupported", $"one of {string.Join(", ", Kinds)}"));
        else if (route.Kind != RouteDefinition.Http)
        {
            ValidateInboundRoute(route, errors);
            return errors;
        }

        if (route.Event is not null)
            errors.Add(new("event", "not_allowed", "http routes call the provider; a route for an event the provider pushes is kind forward or chain"));
        if (route.Forward is not null) errors.Add(new("forward", "not_applicable", "only for kind forward"));
        if (route.Chain is not null) errors.Add(new("chain", "not_applicable", "only for kind chain"));
        ValidateRequest(route.Request, errors);
        ValidateStatusCodes(route.Success, "success", errors);
        ValidateDuration(route.Timeout, "timeout", errors, MaxTimeout);
        if (route.Auth is not null) ValidateAuth(route.Auth, errors);
        if (route.Response is not null)
        {
            ValidateExpression(route.Response.Records, "response.records", errors);
            ValidateExpression(route.Response.Map, "response.map", errors);
        }

        if (route.ErrorRules?.Count > MaxErrorRules)
            errors.Add(new("error_rules", "too_many", $"at most {MaxErrorRules} rules"));
        else
            for (var i = 0; i < (route.ErrorRules?.Count ?? 0); i++) ValidateErrorRule(route.ErrorRules![i], $"error_rules[{i}]", errors);
        if (route.Backoff is not null) ValidateBackoff(route.Backoff, errors);
        if (route.Pagination is not null) ValidatePagination(route.Pagination, errors);
        if (route.RateLimit is not null)
        {
            if (route.RateLimit.Requests < 1) errors.Add(new("rate_limit.requests", "out_of_range", "at least 1"));
            ValidateDuration(route.RateLimit.Per, "rate_limit.per", errors, required: true);
        }

        if (route.Reconcile is not null && !IsValidKey(route.Reconcile.RouteKey))
            errors.Add(new("reconcile.route_key", "invalid", "the key of a lookup route of the same provider"));
        else if (route.Reconcile is not null && route.Reconcile.RouteKey == routeKey)
            errors.Add(new("reconcile.route_key", "self_reference", "another route of the same provider, one that looks the write up"));

        return errors;
    }

    /// <summary>
    /// <c>forward</c> and <c>chain</c> routes handle an event the provider pushes: they need <c>event</c>, and the members
    /// that describe a provider request do not apply to them.
    /// </summary>
    private static void ValidateInboundRoute(RouteDefinition route, List<FieldError> errors)
    {
        if (route.Event is null) errors.Add(new("event", "required", "the provider event type the route handles, such as order.created"));
        else if (!InboundEventTypes.IsValid(route.Event)) errors.Add(new("event", "invalid", InboundEventTypes.Hint));

        var httpOnly = new (string Field, object? Value)[]
        {
            ("request", route.Request), ("success", route.Success), ("timeout", route.Timeout), ("auth", route.Auth),
            ("response", route.Response), ("error_rules", route.ErrorRules), ("backoff", route.Backoff),
            ("pagination", route.Pagination), ("rate_limit", route.RateLimit), ("reconcile", route.Reconcile)
        };
        foreach (var (field, value) in httpOnly)
            if (value is not null) errors.Add(new(field, "not_applicable", "only http routes call the provider; a chain's target route has its own"));

        if (route.Kind == RouteDefinition.ForwardKind)
        {
            if (route.Chain is not null) errors.Add(new("chain", "not_applicable", "only for kind chain"));
            if (route.Forward?.EventType is { } eventType && (!WebhookEventTypes.IsValidPattern(eventType) || eventType.Contains('*')))
                errors.Add(new("forward.event_type", "invalid", "dot-separated parts of letters, digits, '_' and '-', at most 200 characters"));
            return;
        }

        if (route.Forward is not null) errors.Add(new("forward", "not_applicable", "only for kind forward"));
        if (route.Chain is not { } chain)
        {
            errors.Add(new("chain", "required", "{\"provider\": ..., \"route_key\": ..., \"payload\": \"event\"}"));
            return;
        }
        if (!IsValidKey(chain.Provider))
            errors.Add(new("chain.provider", string.IsNullOrWhiteSpace(chain.Provider) ? "required" : "invalid", "the key of the provider to dispatch to"));
        if (!IsValidKey(chain.RouteKey))
            errors.Add(new("chain.route_key", string.IsNullOrWhiteSpace(chain.RouteKey) ? "required" : "invalid", "the key of an http route of that provider"));
        if (string.IsNullOrWhiteSpace(chain.Payload)) errors.Add(new("chain.payload", "required", "JMESPath over {event, inbound, connection}; 'event' sends the body unchanged"));
        else ValidateExpression(chain.Payload, "chain.payload", errors);
    }

    private static void ValidateRequest(RequestTemplate? request, List<FieldError> errors)
    {
        if (request is null)
        {
            errors.Add(new("request", "required"));
            return;
        }

        if (string.IsNullOrWhiteSpace(request.Method)) errors.Add(new("request.method", "required"));
        else if (!Methods.Contains(request.Method.ToUpperInvariant()))
            errors.Add(new("request.method", "unsupported", $"one of {string.Join(", ", Methods)}"));

        if (string.IsNullOrWhiteSpace(request.Path)) errors.Add(new("request.path", "required"));
        else
        {
            if (!request.Path.StartsWith('/')) errors.Add(new("request.path", "invalid", "starts with '/', relative to the provider's base URL"));
            ValidateTemplate(request.Path, "request.path", errors, allowCredentials: false);
        }

        ValidateTemplates(request.Query, "request.query", errors, allowCredentials: false);
        ValidateTemplates(request.Headers, "request.headers", errors, allowCredentials: true);
        foreach (var name in request.Headers?.Keys ?? [])
            if (!HeaderName().IsMatch(name)) errors.Add(new($"request.headers.{name}", "invalid", "a header name: letters, digits and !#$%&'*+-.^_`|~"));

        if (request.Body is not null)
        {
            if (ReadsCredentials().IsMatch(request.Body))
                errors.Add(new("request.body", "forbidden", "credentials may only be used in headers and auth"));
            else ValidateExpression(request.Body, "request.body", errors);
        }
    }

    private static void ValidateAuth(AuthPlacement auth, List<FieldError> errors)
    {
        void Require(string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value)) errors.Add(new($"auth.{field}", "required"));
            else ValidateTemplate(value, $"auth.{field}", errors, allowCredentials: true);
        }

        switch (auth.Type)
        {
            case "bearer":
                Require(auth.Token, "token");
                break;
            case "api_key":
                Require(auth.Name, "name");
                Require(auth.Value, "value");
                if (auth.In is null || !ApiKeyPlacements.Contains(auth.In)) errors.Add(new("auth.in", "invalid", "'header' or 'query'"));
                break;
            case "basic":
                Require(auth.Username, "username");
                Require(auth.Password, "password");
                break;
            case "oauth2_client_credentials":
                Require(auth.ClientId, "client_id");
                Require(auth.ClientSecret, "client_secret");
                if (!Uri.TryCreate(auth.TokenUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                    errors.Add(new("auth.token_url", "invalid", "an absolute http(s) URL"));
                else if (url.UserInfo.Length > 0)
                    errors.Add(new("auth.token_url", "credentials_in_url", "no user:password@; client_id and client_secret carry the credentials"));
                break;
            default:
                errors.Add(new("auth.type", string.IsNullOrWhiteSpace(auth.Type) ? "required" : "unsupported",
                    $"one of {string.Join(", ", AuthTypes)}"));
                break;
        }
    }

    private static void ValidateTemplates(IReadOnlyDictionary<string, string>? templates, string field, List<FieldError> errors,
        bool allowCredentials)
    {
        if (templates is null) return;
        if (templates.Count > MaxQueryOrHeaders) errors.Add(new(field, "too_many", $"at most {MaxQueryOrHeaders}"));
        // JSON null deserializes into a string-valued dictionary; the type says otherwise.
        foreach (var (name, template) in templates)
        {
            if (template is null) errors.Add(new($"{field}.{name}", "wrong_type", "a string template, not null"));
            else ValidateTemplate(template, $"{field}.{name}", errors, allowCredentials);
        }
    }

    private static void ValidateErrorRule(ErrorRule? rule, string field, List<FieldError> errors)
    {
        if (rule is null)
        {
            errors.Add(new(field, "wrong_type", "an error rule object, not null"));
            return;
        }
        if (rule.BodyContains?.Length > MaxBodyContainsLength)
            errors.Add(new($"{field}.body_contains", "too_long", $"at most {MaxBodyContainsLength} characters"));
        if (!Actions.Contains(rule.Action)) errors.Add(new($"{field}.action", "unsupported", $"one of {string.Join(", ", Actions)}"));
        if (rule.Status is not { Count: > 0 } && string.IsNullOrEmpty(rule.BodyContains))
            errors.Add(new($"{field}.status", "required", "match on status codes, body_contains, or both"));
        ValidateStatusCodes(rule.Status, $"{field}.status", errors);
        if (rule.FailureType is not null && !FailureTypes.Contains(CanonicalFailureType(rule.FailureType)))
            errors.Add(new($"{field}.failure_type", "unsupported", $"one of {string.Join(", ", FailureTypes)}"));
        ValidateDuration(rule.MaxWait, $"{field}.max_wait", errors);
    }

    private static void ValidateBackoff(Backoff backoff, List<FieldError> errors)
    {
        if (!BackoffStrategies.Contains(backoff.Strategy))
            errors.Add(new("backoff.strategy", "unsupported", "'exponential' or 'fixed'"));
        ValidateDuration(backoff.Initial, "backoff.initial", errors, required: true);
        ValidateDuration(backoff.Budget, "backoff.budget", errors, required: true);
        if (backoff.MaxAttempts is < 1 or > MaxBackoffAttempts)
            errors.Add(new("backoff.max_attempts", "out_of_range", $"1 to {MaxBackoffAttempts}"));
    }

    private static void ValidatePagination(Pagination pagination, List<FieldError> errors)
    {
        if (!PaginationStyles.Contains(pagination.Style))
            errors.Add(new("pagination.style", "unsupported", $"one of {string.Join(", ", PaginationStyles)}"));
        if (pagination.Style is "page" or "offset" or "cursor" && string.IsNullOrWhiteSpace(pagination.Param))
            errors.Add(new("pagination.param", "required", "the query parameter that carries the page, offset or cursor"));
        if (pagination.Style == "cursor")
        {
            if (string.IsNullOrWhiteSpace(pagination.Next)) errors.Add(new("pagination.next", "required", "JMESPath to the next cursor"));
            else ValidateExpression(pagination.Next, "pagination.next", errors);
        }
        if (pagination.MaxPages is < 1 or > MaxPages) errors.Add(new("pagination.max_pages", "out_of_range", $"1 to {MaxPages}"));
    }

    private static void ValidateTemplate(string template, string field, List<FieldError> errors, bool allowCredentials)
    {
        var paths = StringTemplate.Placeholders(template);
        if (paths is null)
        {
            errors.Add(new(field, "invalid_template", "placeholders are plain paths such as {{payload.order_id}}"));
            return;
        }

        foreach (var root in paths.Select(p => p.Split('.')[0]).Distinct())
        {
            if (root == "credentials" && !allowCredentials)
                errors.Add(new(field, "forbidden", "credentials may only be used in headers and auth"));
            else if (root != "credentials" && !TemplateRoots.Contains(root))
                errors.Add(new(field, "unknown_input", $"'{root}' is not an input; use one of {string.Join(", ", TemplateRoots)}"));
        }
    }

    private static void ValidateExpression(string? expression, string field, List<FieldError> errors)
    {
        if (expression is null) return;
        if (!JsonExpression.TryParse(expression, out var problem)) errors.Add(new(field, "invalid_expression", problem));
    }

    private static void ValidateStatusCodes(IReadOnlyList<int>? codes, string field, List<FieldError> errors)
    {
        if (codes?.Count > MaxStatusCodes)
        {
            errors.Add(new(field, "too_many", $"at most {MaxStatusCodes} status codes"));
            return;
        }
        var invalid = codes?.Where(c => c is < MinStatusCode or > MaxStatusCode).ToArray() ?? [];
        if (invalid.Length > 0)
            errors.Add(new(field, "out_of_range", $"HTTP status codes are {MinStatusCode} to {MaxStatusCode}, not {string.Join(", ", invalid)}"));
    }

    internal static void ValidateDuration(string? value, string field, List<FieldError> errors, TimeSpan? max = null, bool required = false)
    {
        if (value is null)
        {
            if (required) errors.Add(new(field, "required"));
            return;
        }

        TimeSpan duration;
        try
        {
            duration = XmlConvert.ToTimeSpan(value);
        }
        catch (FormatException)
        {
            errors.Add(new(field, "invalid", "an ISO 8601 duration such as PT10S"));
            return;
        }

        if (duration <= TimeSpan.Zero || (max is not null && duration > max))
            errors.Add(new(field, "out_of_range", max is null ? "greater than zero" : $"greater than zero and at most {XmlConvert.ToString(max.Value)}"));
    }
}
