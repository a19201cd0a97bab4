using Microsoft.AspNetCore.Authorization;
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
    public static IServiceCollection AddApiKeyAccess(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName, _ => { });

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
