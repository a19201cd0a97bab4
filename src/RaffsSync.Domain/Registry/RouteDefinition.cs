namespace RaffsSync.Domain.Registry;

/// <summary>
/// How to perform one provider operation. Path, query and header values are string
/// templates (<c>{{payload.order_id}}</c>); <see cref="RequestTemplate.Body"/> names what to
/// send: <c>payload</c> (the dispatch payload unchanged), a dotted path inside it, or null.
/// </summary>
public sealed record RouteDefinition(
    string Kind,
    RequestTemplate Request,
    IReadOnlyList<int>? Success = null,
    TimeSpan? Timeout = null)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public TimeSpan EffectiveTimeout => Timeout ?? DefaultTimeout;

    public bool IsSuccess(int statusCode) =>
        Success is { Count: > 0 } ? Success.Contains(statusCode) : statusCode is >= 200 and < 300;
}

public sealed record RequestTemplate(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string>? Query = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    string? Body = "payload");
