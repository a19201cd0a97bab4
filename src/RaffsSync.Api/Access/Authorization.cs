using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;
using Microsoft.AspNetCore.Authorization.Policy;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Access;

/// <summary>The caller's key must hold this scope. One policy per scope, named after it.</summary>
public sealed class ScopeRequirement(string scope)
    : AuthorizationHandler<ScopeRequirement>, IAuthorizationRequirement
{
    public string Scope { get; } = scope;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.HasClaim(CallerClaims.Scope, requirement.Scope)) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>The caller's class must be one of these (customer, internal, partner).</summary>
public sealed class CallerClassRequirement(params CallerClass[] allowed)
    : AuthorizationHandler<CallerClassRequirement>, IAuthorizationRequirement
{
    public IReadOnlyList<CallerClass> Allowed { get; } = allowed;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, CallerClassRequirement requirement)
    {
        var callerClass = context.User.FindFirstValue(CallerClaims.CallerClass);
        if (Allowed.Any(c => string.Equals(c.ToString(), callerClass, StringComparison.OrdinalIgnoreCase))) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>Policies by caller class, used beside a scope policy: <c>[Authorize(Policy = CallerPolicies.Internal)]</c>.</summary>
public static class CallerPolicies
{
    /// <summary>RaffsSync's own workers and operators: the registry is theirs to change.</summary>
    public const string Internal = "caller:internal";

    /// <summary>Partners push inbound events and read their own routes; customer history is not theirs to read.</summary>
    public const string CustomerOrInternal = "caller:customer-or-internal";
}

public static class AccessSetup
{
    /// <summary>API keys (<c>rsk_...</c>, as Bearer or X-Api-Key), console sessions (<c>rscs_...</c>) or OAuth2 access tokens (any other Bearer value).</summary>
    public const string CallerScheme = "Caller";

    public static IServiceCollection AddApiKeyAccess(this IServiceCollection services)
    {
        services.AddOptions<TokenSettings>().BindConfiguration("RaffsSync:Tokens");
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<KeyUsage>();
        services.AddAuthentication(CallerScheme)
            .AddPolicyScheme(CallerScheme, "API key or access token", options => options.ForwardDefaultSelector = context =>
            {
                var authorization = context.Request.Headers.Authorization.ToString();
                var bearer = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].TrimStart() : null;
                var isToken = bearer is not null && !bearer.StartsWith("rsk_", StringComparison.Ordinal)
                    && !bearer.StartsWith(WebConsole.ConsoleSessionToken.Prefix, StringComparison.Ordinal);
                return isToken ? JwtBearerDefaults.AuthenticationScheme : ApiKeyAuthenticationHandler.SchemeName;
            })
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName, _ => { })
            .AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<AccessTokens>((options, tokens) =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = tokens.ValidationParameters();
            options.Events = new JwtBearerEvents
            {
                OnTokenValidated = async context =>
                {
                    // A revoked client's tokens stop at once, not when they expire.
                    var clientId = context.Principal!.FindFirstValue("client_id");
                    await using var session = context.HttpContext.RequestServices.GetRequiredService<Marten.IDocumentStore>().QuerySession();
                    var client = await Marten.QueryableExtensions.FirstOrDefaultAsync(
                        session.Query<OAuthClient>().Where(c => c.ClientId == clientId), context.HttpContext.RequestAborted);
                    if (client is not { RevokedAt: null })
                    {
                        context.Fail("The client was revoked.");
                        return;
                    }
                    if (client.IsExpiredAt(context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()))
                    {
                        context.HttpContext.Items[ApiKeyAuthenticationHandler.ExpiredMarker] = true;
                        context.Fail("The client has expired.");
                        return;
                    }
                    var locations = await CredentialLocations.ResolveAsync(session, client.Locations, client.CustomerId, context.HttpContext.RequestAborted);
                    context.Principal = new ClaimsPrincipal(AccessTokens.CallerIdentity(context.Principal!, client, locations));
                },
                OnAuthenticationFailed = context =>
                {
                    if (context.Exception is SecurityTokenExpiredException) context.HttpContext.Items[ApiKeyAuthenticationHandler.ExpiredMarker] = true;
                    return Task.CompletedTask;
                },
                OnChallenge = context =>
                {
                    context.HandleResponse(); // the problem body comes from ProblemAuthorizationResponder
                    return Task.CompletedTask;
                }
            };
        });

        services.AddAuthorization(options =>
        {
            foreach (var scope in Scopes.All)
            {
                options.AddPolicy(scope, policy => policy.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope)));
            }
            options.AddPolicy(CallerPolicies.Internal,
                policy => policy.RequireAuthenticatedUser().AddRequirements(new CallerClassRequirement(CallerClass.Internal)));
            options.AddPolicy(CallerPolicies.CustomerOrInternal, policy => policy.RequireAuthenticatedUser()
                .AddRequirements(new CallerClassRequirement(CallerClass.Customer, CallerClass.Internal)));
        });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResponder>();
        return services;
    }
}

/// <summary>Answers 401 and 403 in the API's problem shape instead of bare status codes.</summary>
public sealed class ProblemAuthorizationResponder(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy,
        PolicyAuthorizationResult result)
    {
        if (result.Succeeded)
        {
            await _default.HandleAsync(next, context, policy, result);
            return;
        }

        var classes = result.AuthorizationFailure?.FailedRequirements.OfType<CallerClassRequirement>().SelectMany(r => r.Allowed).ToList() ?? [];
        var problem = result.Challenged
            ? context.Items.ContainsKey(ApiKeyAuthenticationHandler.ExpiredMarker)
                ? ApiProblems.Create(401, "token_expired", "The credential has expired; get a new one.")
                : ApiProblems.Create(401, "unauthenticated",
                    "A valid API key or access token is required: send 'Authorization: Bearer ...' or 'X-Api-Key'.")
            : MissingScopes(result) is { Length: > 0 } missing
                ? ApiProblems.Create(403, "insufficient_scope", $"The credential lacks the scope this endpoint needs: {missing}.")
                : ApiProblems.Create(403, "caller_class_forbidden",
                    $"This endpoint is for {string.Join(" or ", classes.Select(c => c.ToString().ToLowerInvariant()))} callers.");

        context.Response.StatusCode = problem.Status!.Value;
        if (result.Challenged) context.Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    private static string MissingScopes(PolicyAuthorizationResult result) => string.Join(", ",
        result.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().Select(r => r.Scope) ?? []);
}
