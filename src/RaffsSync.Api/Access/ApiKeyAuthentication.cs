using System.Security.Claims;
using System.Text.Encodings.Web;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Access;

/// <summary>
/// API keys from <c>Authorization: Bearer rsk_...</c> or <c>X-Api-Key</c>. The key's SHA-256 is
/// looked up on every request, so a revoked key stops working on the very next call.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IDocumentStore store,
    KeyUsage usage,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>Set on the request when the key was valid but expired, so the 401 can say <c>token_expired</c>.</summary>
    public static readonly object ExpiredMarker = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null) return AuthenticateResult.NoResult();
        if (!ApiKeySecret.LooksLikeKey(presented)) return AuthenticateResult.Fail("The credential is not a RaffsSync API key.");

        var hash = ApiKeySecret.Hash(presented);
        await using var session = store.QuerySession();
        var key = await session.Query<ApiKey>().FirstOrDefaultAsync(k => k.SecretHash == hash, Context.RequestAborted);
        if (key is not { IsActive: true }) return AuthenticateResult.Fail("The API key is unknown or revoked.");
        if (key.IsExpiredAt(clock.GetUtcNow()))
        {
            Context.Items[ExpiredMarker] = true;
            return AuthenticateResult.Fail("The API key has expired.");
        }

        await usage.RecordAsync(key.Id, Context.RequestAborted);

        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, key.Id.ToString()),
            new(CallerClaims.KeyId, key.Id.ToString()),
            new(CallerClaims.CallerClass, key.CallerClass.ToString().ToLowerInvariant()),
            new(CallerClaims.Environment, key.Environment.ToString().ToLowerInvariant())
        };
        if (key.CustomerId is not null) claims.Add(new Claim(CallerClaims.Customer, key.CustomerId));
        if (key.Provider is not null) claims.Add(new Claim(CallerClaims.Provider, key.Provider));
        claims.AddRange(key.Scopes.Select(s => new Claim(CallerClaims.Scope, s)));
        claims.AddRange((await CredentialLocations.ResolveAsync(session, key.Locations, key.CustomerId, Context.RequestAborted))
            .Select(l => new Claim(CallerClaims.Location, l)));
        claims.AddRange(CallerClaims.Bounds(key.Locations, key.ExpiresAt));

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return authorization["Bearer ".Length..].Trim();

        var header = request.Headers["X-Api-Key"].ToString();
        return string.IsNullOrWhiteSpace(header) ? null : header.Trim();
    }
}
