using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>
/// Two writers raced and this one lost at commit, so nothing of it was written: creating something
/// that now exists is 409 <c>conflict</c>; changing a stream another writer changed first is 409
/// <c>version_conflict</c>, so the caller re-reads and retries.
/// </summary>
public sealed class ConcurrencyConflicts(IProblemDetailsService problems) : IExceptionHandler
{
    public const string UniqueViolation = "23505";

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellation)
    {
        if (ProblemFor(exception) is not { } problem) return false;

        context.Response.StatusCode = StatusCodes.Status409Conflict;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, Exception = exception, ProblemDetails = problem });
    }

    public static ProblemDetails? ProblemFor(Exception exception) => exception switch
    {
        Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException
            or JasperFx.DocumentAlreadyExistsException => AlreadyExists(),
        JasperFx.ConcurrencyException => ApiProblems.Create(409, "version_conflict",
            "Another change to this resource was committed first; read it again and retry."),
        _ when exception.Find<PostgresException>() is { SqlState: UniqueViolation } => AlreadyExists(),
        _ => null
    };

    private static ProblemDetails AlreadyExists() =>
        ApiProblems.Create(409, "conflict", "It already exists: another request created it first.");
}
