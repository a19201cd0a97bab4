using RaffsSync.Api.Infrastructure.Http;

namespace RaffsSync.Api.Infrastructure.OpenApi;

/// <summary>
/// An error (RFC 9457 problem details with code, message, details and request_id), as
/// <see cref="ApiProblems"/> writes every one of them, whatever the request's Accept says.
/// </summary>
/// <param name="Type">A URI naming the error code: <c>https://raffssync.io/errors/{code}</c>.</param>
/// <param name="Title">A short human summary of the error code.</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Code">Stable and documented; branch on this one.</param>
/// <param name="Message">For humans; may change.</param>
/// <param name="Details">Field-level problems; empty when there are none.</param>
/// <param name="RequestId">The request's X-Request-Id: quote it when asking for help.</param>
/// <param name="Detail">The same text as <c>message</c> (RFC 9457's member).</param>
/// <param name="Instance">The path that was asked for.</param>
public sealed record Problem(
    string Type,
    string Title,
    int Status,
    string Code,
    string Message,
    IReadOnlyList<ProblemDetail> Details,
    string RequestId,
    string? Detail = null,
    string? Instance = null);
