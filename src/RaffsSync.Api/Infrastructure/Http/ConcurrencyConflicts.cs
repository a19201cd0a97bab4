using JasperFx.Events;
using Microsoft.AspNetCore.Diagnostics;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>
/// Two writers raced on one stream and this one lost at commit: nothing was written, answer
/// 409 <c>version_conflict</c> so the caller re-reads and retries.
/// </summary>
public sealed class ConcurrencyConflicts(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellation)
    {
        if (exception is not (JasperFx.ConcurrencyException or ExistingStreamIdCollisionException
            or JasperFx.DocumentAlreadyExistsException)) return false;

        context.Response.StatusCode = StatusCodes.Status409Conflict;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = ApiProblems.Create(409, "version_conflict",
                "Another change to this resource was committed first; read it again and retry.")
        });
    }
}
