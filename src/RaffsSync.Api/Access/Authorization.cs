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

public static class AccessSetup
{
    /// <summary>API keys (<c>rsk_...</c>, as Bearer or X-Api-Key) or OAuth2 access tokens (any other Bearer value).</summary>
    public const string CallerScheme = "Caller";

    public static IServiceCollection AddApiKeyAccess(this IServiceCollection services)
    {
        services.AddOptions<TokenSettings>().BindConfiguration("RaffsSync:Tokens");
        services.AddSingleton<AccessTokens>();
        services.AddAuthentication(CallerScheme)
            .AddPolicyScheme(CallerScheme, "API key or access token", options => options.ForwardDefaultSelector = context =>
            {
                var authorization = context.Request.Headers.Authorization.ToString();
                var isToken = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    && !authorization["Bearer ".Length..].TrimStart().StartsWith("rsk_", StringComparison.Ordinal);
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
                OnTokenValidated = context =>
                {
                    context.Principal = new ClaimsPrincipal(AccessTokens.CallerIdentity(context.Principal!));
                    return Task.CompletedTask;
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

        var problem = result.Challenged
            ? context.Items.ContainsKey(ApiKeyAuthenticationHandler.ExpiredMarker)
                ? ApiProblems.Create(401, "token_expired", "The API key has expired; issue a new one.")
                : ApiProblems.Create(401, "unauthenticated",
                    "A valid API key is required: send 'Authorization: Bearer rsk_...' or 'X-Api-Key'.")
            : ApiProblems.Create(403, "insufficient_scope",
                $"The API key lacks the scope this endpoint needs: {MissingScopes(result)}.");

        context.Response.StatusCode = problem.Status!.Value;
        if (result.Challenged) context.Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    private static string MissingScopes(PolicyAuthorizationResult result) => string.Join(", ",
        result.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().Select(r => r.Scope) ?? []);
}
