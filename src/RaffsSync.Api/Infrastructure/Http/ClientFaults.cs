using Microsoft.AspNetCore.Diagnostics;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>
/// A request the server could not read (ASP.NET Core's <see cref="BadHttpRequestException"/>: a body cut
/// short, a limit passed, an unbindable parameter) is the client's fault: answered with its own status
/// in the problem shape and logged once, in one line, without a stack trace. Server faults keep theirs.
/// </summary>
public sealed class ClientFaults(IProblemDetailsService problems, ILogger<ClientFaults> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellation)
    {
        if (exception is not BadHttpRequestException bad) return false;

        logger.LogInformation("Refused {Method} {Path} with {Status}: {Reason}", context.Request.Method, context.Request.Path, bad.StatusCode,
            bad.Message);
        context.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? ApiProblems.Create(413, "payload_too_large", $"The request body is larger than {BodySizeLimit.MaxBytes / (1024 * 1024)} MB.")
                : ApiProblems.Create(bad.StatusCode, bad.StatusCode == 400 ? "invalid_request" : "error", "The request could not be read: " + bad.Message)
        });
    }
}
