using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>
/// Errors are <c>application/problem+json</c> whatever the request's <c>Accept</c> says. ASP.NET Core's
/// default writer declines when <c>Accept</c> excludes JSON, and then every caller of
/// <see cref="IProblemDetailsService.WriteAsync"/> throws (a 401 became a 500) while
/// <c>Results.Problem</c> falls back to a body without <c>request_id</c>. Registered ahead of the
/// default writer, this one accepts every context.
/// </summary>
public sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> problemOptions, IOptions<HttpJsonOptions> jsonOptions)
    : IProblemDetailsWriter
{
    public const string ContentType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var response = context.HttpContext.Response;
        var problem = context.ProblemDetails;
        if (problem.Status is { } status && response.StatusCode != status && !response.HasStarted) response.StatusCode = status;
        problemOptions.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(response.WriteAsJsonAsync(problem, typeof(ProblemDetails), jsonOptions.Value.SerializerOptions, ContentType,
            context.HttpContext.RequestAborted));
    }
}

public static class ProblemJsonRegistration
{
    /// <summary>Problem details in the API's shape; call before anything that adds the framework's default writer.</summary>
    public static IServiceCollection AddApiProblemDetails(this IServiceCollection services)
    {
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        services.AddProblemDetails(options =>
            options.CustomizeProblemDetails = context => ApiProblems.Complete(context.ProblemDetails, context.HttpContext));
        return services;
    }
}
