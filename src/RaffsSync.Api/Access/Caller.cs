using System.Security.Claims;
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
}

/// <summary>The authenticated caller as endpoints need it: who, which class, which environment, which locations.</summary>
public sealed record Caller(
    string Id,
    CallerClass Class,
    ProviderEnvironment Environment,
    IReadOnlySet<string> Locations,
    IReadOnlyList<string> Scopes,
    string? CustomerId,
    string? Provider = null)
{
    public static Caller From(ClaimsPrincipal user) => new(
        user.FindFirstValue(CallerClaims.KeyId) ?? "",
        Enum.Parse<CallerClass>(user.FindFirstValue(CallerClaims.CallerClass) ?? nameof(CallerClass.Customer), true),
        Enum.Parse<ProviderEnvironment>(user.FindFirstValue(CallerClaims.Environment) ?? nameof(ProviderEnvironment.Sandbox), true),
        user.FindAll(CallerClaims.Location).Select(c => c.Value).ToHashSet(),
        user.FindAll(CallerClaims.Scope).Select(c => c.Value).ToList(),
        user.FindFirstValue(CallerClaims.Customer),
        user.FindFirstValue(CallerClaims.Provider));

    /// <summary>Partners see only their own provider in the registry; everyone else sees all of it.</summary>
    public bool CanSeeProvider(string provider) => Class != CallerClass.Partner || Provider == provider;

    public KeyIssuer AsIssuer() => new(Class, Scopes, CustomerId, [.. Locations]);

    /// <summary>Internal callers reach every location; the others only those they were granted.</summary>
    public bool CanAccess(string tenantId) => Class == CallerClass.Internal || Locations.Contains(tenantId);
}
