using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Authorization;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;
using Wolverine.Http;

namespace RaffsSync.Api.Access;

/// <summary>
/// A credential to issue (an API key or an OAuth client). Only <c>name</c> and <c>scopes</c> must be sent; what is left out
/// is taken from the issuer. Nobody issues more than they hold: every scope, the environment and the expiry are bounded by
/// the issuer's, and a non-internal issuer also bounds the class, customer, provider and locations.
/// </summary>
/// <param name="Name">A label for the credential.</param>
/// <param name="Environment"><c>sandbox</c> (keys <c>rsk_test_...</c>) or <c>production</c> (keys <c>rsk_live_...</c>); the issuer's when left out. A sandbox issuer issues sandbox credentials only.</param>
/// <param name="CallerClass"><c>customer</c>, <c>internal</c> or <c>partner</c>. Left out: <c>customer</c> when an internal caller issues, else the issuer's own class, the only one a non-internal caller may give.</param>
/// <param name="Scopes">What the credential may do: one or more of the scopes, each held by the issuer.</param>
/// <param name="Locations">The tenant ids a customer or partner credential acts for; an empty list means every location of its customer. Left out: the issuer's locations if its credential names some, else every location. Ignored for internal credentials.</param>
/// <param name="CustomerId">The customer a customer credential belongs to (required for one, unless the issuer's customer applies). Ignored for internal credentials.</param>
/// <param name="ExpiresAt">When the credential stops working; left out, the issuer's expiry (none if it has none). It must be in the future and no later than the issuer's.</param>
/// <param name="Provider">The provider a partner credential belongs to (required for one, unless the issuer's provider applies). Ignored for other classes.</param>
public sealed record CreateApiKey(
    [property: Required, MaxLength(IdentifierLimits.Name)] string? Name = null,
    [property: MaxLength(IdentifierLimits.Id)] string? Environment = null,
    [property: MaxLength(IdentifierLimits.Id)] string? CallerClass = null,
    [property: Required] List<string>? Scopes = null,
    List<string>? Locations = null,
    [property: MaxLength(IdentifierLimits.Id)] string? CustomerId = null,
    DateTimeOffset? ExpiresAt = null,
    [property: MaxLength(IdentifierLimits.Key)] string? Provider = null) : IExample<CreateApiKey>
{
    public static CreateApiKey Example => new("Kemang till", "sandbox", "customer", [Domain.Access.Scopes.DispatchesWrite, Domain.Access.Scopes.DispatchesRead],
        ["29"], "cus_0193a3f4c2b87d10a5e6f7a8b9c0d1e2");
}

/// <summary>A key as lists show it: never its secret or hash.</summary>
/// <param name="Id">The key's id.</param>
/// <param name="Name">Its label.</param>
/// <param name="DisplayPrefix">The start of the key, enough to recognise it (<c>rsk_test_ab12...</c>).</param>
/// <param name="Environment"><c>sandbox</c> or <c>production</c>.</param>
/// <param name="CallerClass"><c>customer</c>, <c>internal</c> or <c>partner</c>.</param>
/// <param name="Scopes">What it may do.</param>
/// <param name="Locations">The tenant ids it acts for; empty means every location of its customer.</param>
/// <param name="CustomerId">The customer it belongs to; null for internal keys.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When it stops working; null never.</param>
/// <param name="RevokedAt">When it was revoked; null while it works.</param>
/// <param name="LastUsedAt">When it last authenticated a request (to the minute); null if never, and in the answer to its creation.</param>
/// <param name="Provider">The provider a partner key belongs to; null for other classes.</param>
public sealed record ApiKeyView(
    Guid Id, string Name, string DisplayPrefix, string Environment, string CallerClass, IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Locations, string? CustomerId, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt, string? Provider)
{
    public static ApiKeyView From(ApiKey k, DateTimeOffset? lastUsedAt = null) => new(k.Id, k.Name, k.DisplayPrefix,
        k.Environment.ToString().ToLowerInvariant(), k.CallerClass.ToString().ToLowerInvariant(), k.Scopes, k.Locations, k.CustomerId,
        k.CreatedAt, k.ExpiresAt, k.RevokedAt, lastUsedAt, k.Provider);
}

/// <summary>The one response that carries a key's secret: the answer to its creation.</summary>
/// <param name="Key">The key itself. It is shown here only, and cannot be read again: store it now.</param>
/// <param name="ApiKey">The key as lists show it.</param>
public sealed record CreatedApiKeyView(string Key, ApiKeyView ApiKey);

/// <summary>
/// A credential (an API key or an OAuth client) as it will be issued, bounded by its issuer; or the problem that refuses it.
/// </summary>
public sealed record IssuableCredential(ApiKeyRequest? Request, ProblemDetails? Refusal)
{
    public ProblemDetails Problems => Refusal ?? WolverineContinue.NoProblems;
}

/// <summary>
/// Self-service keys: list, and what creating a key or an OAuth client shares. Creating and revoking a key
/// are <see cref="CreateApiKeyEndpoint"/> and <see cref="RevokeApiKeyEndpoint"/>.
/// </summary>
public static class ApiKeyEndpoints
{
    /// <summary>List API keys</summary>
    /// <remarks>
    /// The API keys the caller manages, oldest first: its own key and those it could have issued itself (internal
    /// callers: every key). Each shows its prefix, scopes, class, locations, expiry, revocation and last use; never its secret.
    /// </remarks>
    [Authorize(Policy = Scopes.AccessWrite)]
    [QueryString<PageRequest>]
    [WolverineGet("/api/v1/api-keys", OperationId = "listApiKeys")]
    public static async Task<Ok<PageEnvelope<ApiKeyView>>> List(IQuerySession session, Caller caller, HttpContext context, CancellationToken cancellation)
    {
        var page = PageRequest.From(context.Request);
        IQueryable<ApiKey> query = session.Query<ApiKey>().OrderBy(k => k.CreatedAt);
        IReadOnlyList<ApiKey> keys;
        long total;
        if (caller.Class == CallerClass.Internal)
        {
            (keys, total) = await query.PageAsync(page, cancellation);
        }
        else
        {
            // A customer has a handful of keys: which of them this caller manages is decided in memory, on every axis.
            var customer = caller.CustomerId;
            var self = Guid.TryParse(caller.Id, out var id) ? id : Guid.Empty;
            var candidates = await (customer is null ? query.Where(k => k.Id == self) : query.Where(k => k.CustomerId == customer))
                .ToListAsync(cancellation);
            var managed = candidates.Where(k => KeyManagement.Manages(caller.AsIssuer(), caller.Id, k)).ToList();
            (keys, total) = (managed.Skip(page.Skip).Take(page.PerPage).ToList(), managed.Count);
        }
        var usage = (await session.LoadManyAsync<ApiKeyUsage>(cancellation, keys.Select(k => k.Id))).ToDictionary(u => u.Id, u => u.LastUsedAt);
        var views = keys.Select(k => ApiKeyView.From(k, usage.TryGetValue(k.Id, out var at) ? at : null)).ToList();
        return TypedResults.Ok(page.Envelope(views, total, context.Request));
    }

    /// <summary>
    /// The credential asked for (a key or an OAuth client) as it will be issued: parsed, bounded by
    /// its issuer (<see cref="ApiKeyIssue.Bound"/>), its customer and locations known; or the answer that refuses it.
    /// </summary>
    public static async Task<IssuableCredential> BoundRequestAsync(CreateApiKey input, Caller caller,
        IQuerySession session, DateTimeOffset now, CancellationToken cancellation)
    {
        if (ParseRequest(input, caller, out var asked) is { } invalid) return new(null, invalid);
        var (request, refusal) = ApiKeyIssue.Bound(caller.AsIssuer(), asked!, now);
        if (refusal is not null) return new(null, Refused(refusal));

        // Non-internal issuers are held to their own customer and locations by the bound; an internal
        // one may name any customer, but it must exist and own the locations named.
        if (caller.Class == CallerClass.Internal && request!.CustomerId is { } customerId)
        {
            var customer = Customer.StreamIdOf(customerId) is { } streamId ? await session.LoadAsync<Customer>(streamId, cancellation) : null;
            if (customer is null)
                return new(null, Refused(new IssueRefusal(404, "not_found", $"Customer '{customerId}' was not found.", new FieldError("customer_id", "unknown"))));
            if (request.Locations!.FirstOrDefault(l => !customer.Locations.Contains(l)) is { } foreign)
                return new(null, Refused(new IssueRefusal(404, "not_found", $"Location '{foreign}' was not found.", new FieldError("locations", "unknown", foreign))));
        }
        return new(request, null);
    }

    /// <summary>The credential asked for, before its issuer bounds it, or the 400 that says what is wrong with it.</summary>
    public static ProblemDetails? ParseRequest(CreateApiKey input, Caller caller, out ApiKeyRequest? request)
    {
        request = null;
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(input.Name)) errors.Add(new("name", "required"));
        else if (IdentifierLimits.Check("name", input.Name, IdentifierLimits.Name) is { } badName) errors.Add(badName);
        if (input.Scopes is not { Count: > 0 }) errors.Add(new("scopes", "required", string.Join(", ", Domain.Access.Scopes.All)));
        else errors.AddRange(input.Scopes.Where(s => !Domain.Access.Scopes.IsKnown(s)).Select(s => new FieldError("scopes", "unknown", s)));
        var environment = ParseOr(input.Environment, caller.Environment, "environment", errors);
        // Unsaid, the class is the issuer's own (customer for internal issuers): the one a non-internal issuer may give.
        var callerClass = ParseOr(input.CallerClass, caller.Class == CallerClass.Internal ? CallerClass.Customer : caller.Class, "caller_class", errors);
        if (IdentifierLimits.Check("customer_id", input.CustomerId, IdentifierLimits.Id) is { } badCustomer) errors.Add(badCustomer);
        foreach (var location in input.Locations ?? [])
        {
            if (string.IsNullOrWhiteSpace(location)) errors.Add(new FieldError("locations", "invalid", "tenant ids, not empty"));
            else if (IdentifierLimits.Check("locations", location, IdentifierLimits.Id) is { } badLocation) errors.Add(badLocation);
        }
        if (input.Provider is not null && !RouteValidation.IsValidKey(input.Provider))
            errors.Add(new FieldError("provider", "invalid", "a provider key: letters, digits, '.', '_' and '-', at most 100 characters"));
        if (errors.Count > 0) return ApiProblems.Validation([.. errors.Select(e => new ProblemDetail(e.Field, e.Issue, e.Hint))]);

        request = new ApiKeyRequest(input.Name!, environment, callerClass, input.Scopes!, input.CustomerId, input.Locations,
            input.ExpiresAt, input.Provider);
        return null;
    }

    public static ProblemDetails Refused(IssueRefusal refusal) => ApiProblems.Create(refusal.Status, refusal.Code, refusal.Message,
        new ProblemDetail(refusal.Detail.Field, refusal.Detail.Issue, refusal.Detail.Hint));

    private static T ParseOr<T>(string? value, T fallback, string field, List<FieldError> errors) where T : struct, Enum
    {
        if (value is null) return fallback;
        if (Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)) return parsed;
        errors.Add(new FieldError(field, "invalid", string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))));
        return fallback;
    }
}
