using Microsoft.AspNetCore.Diagnostics;
using RaffsSync.Api.Infrastructure.Postgres;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>
/// PostgreSQL is out of reach (stopped, restarting, connections refused or cut): answer 503
/// <c>database_unavailable</c> with <c>Retry-After</c> instead of a 500. Whatever the request was
/// writing was not committed, or its outcome cannot be known: a retry with the same
/// Idempotency-Key is safe.
/// </summary>
public sealed class DatabaseUnavailable(IProblemDetailsService problems) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellation)
    {
        if (!DatabaseFailures.IsTransient(exception)) return false;

        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = ApiProblems.Create(503, "database_unavailable",
                "The database is unreachable for the moment; retry after the Retry-After delay.")
        });
    }
}
