using Marten;
using Microsoft.AspNetCore.Authorization;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using Wolverine.Http;

namespace RaffsSync.Api.Access;

public sealed record CreateApiKey(
    string? Name,
    string? Environment,
    string? CallerClass,
    List<string>? Scopes,
    List<string>? Locations,
    string? CustomerId,
    DateTimeOffset? ExpiresAt,
    string? Provider = null);

/// <summary>A key as lists show it: never its secret or hash.</summary>
public sealed record ApiKeyView(
    Guid Id, string Name, string DisplayPrefix, string Environment, string CallerClass, IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Locations, string? CustomerId, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt)
{
    public static ApiKeyView From(ApiKey k, DateTimeOffset? lastUsedAt = null) => new(k.Id, k.Name, k.DisplayPrefix,
        k.Environment.ToString().ToLowerInvariant(), k.CallerClass.ToString().ToLowerInvariant(), k.Scopes, k.Locations, k.CustomerId,
        k.CreatedAt, k.ExpiresAt, k.RevokedAt, lastUsedAt);
}

/// <summary>The one response that carries a key's secret: the answer to its creation.</summary>
public sealed record CreatedApiKeyView(string Key, ApiKeyView ApiKey);

/// <summary>Self-service keys: create (secret shown once), list, revoke (effective on the very next request).</summary>
public static class ApiKeyEndpoints
{
    /// <summary>Creates an API key; its secret is in this answer only.</summary>
    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverinePost("/api/v1/api-keys")]
    public static IResult Post(CreateApiKey input, IDocumentSession session, HttpContext context, TimeProvider clock)
    {
        var caller = Caller.From(context.User);
        if (ParseRequest(input, caller, out var request) is { } invalid) return invalid;
        if (ApiKeyIssue.Refusal(caller.AsIssuer(), request!, clock.GetUtcNow()) is { } refusal) return Refused(refusal);

        var (created, secret) = ApiKeyStore.Start(session, request!, clock.GetUtcNow());
        return Results.Created(ResourcePath.Of("api-keys", created.KeyId), new CreatedApiKeyView(secret, ApiKeyView.From(ApiKey.Create(created))));
    }

    /// <summary>Lists API keys: prefix, scopes, class, created, last used; never secrets.</summary>
    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverineGet("/api/v1/api-keys")]
    public static async Task<IResult> List(IQuerySession session, HttpContext context, CancellationToken cancellation)
    {
        var caller = Caller.From(context.User);
        var page = PageRequest.From(context.Request);
        IQueryable<ApiKey> query = session.Query<ApiKey>().Stats(out var stats);
        if (caller.Class != CallerClass.Internal)
        {
            var customer = caller.CustomerId;
            var self = Guid.TryParse(caller.Id, out var id) ? id : Guid.Empty;
            query = customer is null ? query.Where(k => k.Id == self) : query.Where(k => k.CustomerId == customer);
        }
        var keys = await query.OrderBy(k => k.CreatedAt).Skip(page.Skip).Take(page.PerPage).ToListAsync(cancellation);
        var usage = (await session.LoadManyAsync<ApiKeyUsage>(cancellation, keys.Select(k => k.Id))).ToDictionary(u => u.Id, u => u.LastUsedAt);
        var views = keys.Select(k => ApiKeyView.From(k, usage.TryGetValue(k.Id, out var at) ? at : null)).ToList();
        return Results.Ok(page.Envelope(views, stats.TotalResults, context.Request));
    }

    /// <summary>Revokes an API key; the very next request with it is refused.</summary>
    [Authorize(Policy = Scopes.AccessWrite)]
    [WolverineDelete("/api/v1/api-keys/{id}")]
    public static async Task<IResult> Revoke(Guid id, IDocumentSession session, HttpContext context, TimeProvider clock,
        CancellationToken cancellation)
    {
        var caller = Caller.From(context.User);
        var key = await session.LoadAsync<ApiKey>(id, cancellation);
        var visible = key is not null && (caller.Class == CallerClass.Internal || caller.Id == key.Id.ToString()
            || (caller.CustomerId is not null && caller.CustomerId == key.CustomerId));
        if (!visible) return ProblemResults.NotFound("not_found", $"API key '{id}' was not found.");
        if (!key!.IsActive) return Results.Ok(ApiKeyView.From(key));

        var revoked = new ApiKeyRevoked(id, clock.GetUtcNow());
        session.Events.Append(id, revoked);
        return Results.Ok(ApiKeyView.From(key.Apply(revoked)));
    }

    /// <summary>The credential asked for (a key or an OAuth client), or the 400 that says what is wrong with it.</summary>
    public static IResult? ParseRequest(CreateApiKey input, Caller caller, out ApiKeyRequest? request)
    {
        request = null;
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(input.Name)) errors.Add(new("name", "required"));
        if (input.Scopes is not { Count: > 0 }) errors.Add(new("scopes", "required", string.Join(", ", Domain.Access.Scopes.All)));
        else errors.AddRange(input.Scopes.Where(s => !Domain.Access.Scopes.IsKnown(s)).Select(s => new FieldError("scopes", "unknown", s)));
        var environment = ParseOr(input.Environment, caller.Environment, "environment", errors);
        var callerClass = ParseOr(input.CallerClass, CallerClass.Customer, "caller_class", errors);
        if (errors.Count > 0) return ProblemResults.Validation(errors);

        request = new ApiKeyRequest(input.Name!, environment, callerClass, input.Scopes!,
            callerClass == CallerClass.Internal ? null : input.CustomerId ?? caller.CustomerId, input.Locations ?? [], input.ExpiresAt,
            callerClass == CallerClass.Partner ? input.Provider : null);
        return null;
    }

    public static IResult Refused(IssueRefusal refusal) => Results.Problem(ApiProblems.Create(refusal.Status, refusal.Code, refusal.Message,
        new ProblemDetail(refusal.Detail.Field, refusal.Detail.Issue, refusal.Detail.Hint)));

    private static T ParseOr<T>(string? value, T fallback, string field, List<FieldError> errors) where T : struct, Enum
    {
        if (value is null) return fallback;
        if (Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)) return parsed;
        errors.Add(new FieldError(field, "invalid", string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))));
        return fallback;
    }
}
