using System.Globalization;
using System.Security.Claims;
using Marten;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Access;

public static class CallerClaims
{
    public const string KeyId = "key_id";
    public const string CallerClass = "caller_class";
    public const string Scope = "scope";
    public const string Customer = "customer_id";
    public const string Location = "location";
    public const string Environment = "environment";
    public const string Provider = "provider";
    /// <summary>When the credential itself (the key, or the OAuth client behind a token) expires.</summary>
    public const string CredentialExpiresAt = "credential_expires_at";
    /// <summary>Present when the credential names its locations instead of reaching all of its customer's.</summary>
    public const string LocationBound = "location_bound";
    /// <summary>Where the caller acts from when it is not the API itself: <see cref="ConsoleChannel"/>.</summary>
    public const string Channel = "channel";
    public const string ConsoleChannel = "console";

    /// <summary>The claims that bound what a credential may issue beyond class, scopes, customer and provider.</summary>
    public static IEnumerable<Claim> Bounds(IReadOnlyList<string> ownLocations, DateTimeOffset? expiresAt)
    {
        if (ownLocations.Count > 0) yield return new Claim(LocationBound, "true");
        if (expiresAt is { } expires) yield return new Claim(CredentialExpiresAt, expires.ToString("O", CultureInfo.InvariantCulture));
    }
}

/// <summary>The authenticated caller as endpoints need it: who, which class, which environment, which locations.</summary>
public sealed record Caller(
    string Id,
    CallerClass Class,
    ProviderEnvironment Environment,
    IReadOnlySet<string> Locations,
    IReadOnlyList<string> Scopes,
    string? CustomerId,
    string? Provider = null,
    bool LocationBound = false,
    DateTimeOffset? ExpiresAt = null)
{
    public static Caller From(ClaimsPrincipal user) => new(
        user.FindFirstValue(CallerClaims.KeyId) ?? "",
        Enum.Parse<CallerClass>(user.FindFirstValue(CallerClaims.CallerClass) ?? nameof(CallerClass.Customer), true),
        Enum.Parse<ProviderEnvironment>(user.FindFirstValue(CallerClaims.Environment) ?? nameof(ProviderEnvironment.Sandbox), true),
        user.FindAll(CallerClaims.Location).Select(c => c.Value).ToHashSet(),
        user.FindAll(CallerClaims.Scope).Select(c => c.Value).ToList(),
        user.FindFirstValue(CallerClaims.Customer),
        user.FindFirstValue(CallerClaims.Provider),
        user.HasClaim(c => c.Type == CallerClaims.LocationBound),
        user.FindFirstValue(CallerClaims.CredentialExpiresAt) is { } expires
            ? DateTimeOffset.Parse(expires, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
            : null);

    /// <summary>Partners see only their own provider in the registry; everyone else sees all of it.</summary>
    public bool CanSeeProvider(string provider) => Class != CallerClass.Partner || Provider == provider;

    public KeyIssuer AsIssuer() => new(Class, Scopes, CustomerId, [.. Locations], LocationBound, Environment, Provider, ExpiresAt);

    /// <summary>Internal callers reach every location; the others only those they were granted.</summary>
    public bool CanAccess(string tenantId) => Class == CallerClass.Internal || Locations.Contains(tenantId);
}

/// <summary>The locations a credential acts for: those it names, or else every location of its customer (looked up now).</summary>
public static class CredentialLocations
{
    public static async Task<IReadOnlyList<string>> ResolveAsync(IQuerySession session, IReadOnlyList<string> own, string? customerId,
        CancellationToken cancellation)
    {
        if (own.Count > 0 || customerId is null) return own;
        return await session.Query<Location>().Where(l => l.CustomerId == customerId).Select(l => l.Id).ToListAsync(cancellation);
    }
}
