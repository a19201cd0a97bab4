using System.Security.Claims;
using System.Text.Encodings.Web;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using RaffsSync.Api.WebConsole;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Access;

/// <summary>
/// API keys from <c>Authorization: Bearer rsk_...</c> or <c>X-Api-Key</c>, and console sessions (<c>rscs_...</c>), which
/// act as the key they were started with. The key is looked up on every request, so a revoked key stops working, in the
/// console too, on the very next call.
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
        var presented = PresentedCredential(Request);
        if (presented is null) return AuthenticateResult.NoResult();

        await using var session = store.QuerySession();
        var now = clock.GetUtcNow();
        ApiKey? key;
        var viaConsole = ConsoleSessionToken.LooksLikeToken(presented);
        if (viaConsole)
        {
            if (!Request.Path.StartsWithSegments(ConsoleSessions.BasePath) && !ConsoleCallProof.IsPresentOn(Request))
                return AuthenticateResult.Fail("A console session works only in the console.");
            var consoleSession = await session.LoadAsync<ConsoleSession>(ConsoleSessionToken.Hash(presented), Context.RequestAborted);
            if (consoleSession is null || !consoleSession.IsLiveAt(now))
            {
                Context.Items[ExpiredMarker] = true;
                return AuthenticateResult.Fail("The console session has ended.");
            }
            key = await session.LoadAsync<ApiKey>(consoleSession.KeyId, Context.RequestAborted);
        }
        else if (ApiKeySecret.LooksLikeKey(presented))
        {
            var hash = ApiKeySecret.Hash(presented);
            key = await session.Query<ApiKey>().FirstOrDefaultAsync(k => k.SecretHash == hash, Context.RequestAborted);
        }
        else return AuthenticateResult.Fail("The credential is not a RaffsSync API key.");

        if (key is not { IsActive: true }) return AuthenticateResult.Fail("The API key is unknown or revoked.");
        if (key.IsExpiredAt(now))
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
        if (viaConsole) claims.Add(new Claim(CallerClaims.Channel, CallerClaims.ConsoleChannel));
        if (key.CustomerId is not null) claims.Add(new Claim(CallerClaims.Customer, key.CustomerId));
        if (key.Provider is not null) claims.Add(new Claim(CallerClaims.Provider, key.Provider));
        claims.AddRange(key.Scopes.Select(s => new Claim(CallerClaims.Scope, s)));
        claims.AddRange((await CredentialLocations.ResolveAsync(session, key.Locations, key.CustomerId, Context.RequestAborted))
            .Select(l => new Claim(CallerClaims.Location, l)));
        claims.AddRange(CallerClaims.Bounds(key.Locations, key.ExpiresAt));

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>
    /// A key or console session token from the Authorization or X-Api-Key header; on the console's own pages also the
    /// session cookie. The API never reads the cookie, so a page elsewhere cannot make a browser call it as its user.
    /// </summary>
    private static string? PresentedCredential(HttpRequest request) =>
        PresentedKey(request)
        ?? (request.Path.StartsWithSegments(ConsoleSessions.BasePath) && request.Cookies[ConsoleSessions.CookieName] is { Length: > 0 } cookie
            ? cookie
            : null);

    private static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return authorization["Bearer ".Length..].Trim();

        var header = request.Headers["X-Api-Key"].ToString();
        return string.IsNullOrWhiteSpace(header) ? null : header.Trim();
    }
}
