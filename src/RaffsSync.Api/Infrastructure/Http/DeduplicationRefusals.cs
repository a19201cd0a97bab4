using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>
/// Wolverine.Http answers a repeated <c>Idempotency-Key</c> on a <see cref="DeduplicatedWithResponseAttribute"/>
/// endpoint itself (HttpHandler.AnswerDeduplicatedRepeatAsync, 6.62): 422 when the key came with a different
/// request, 409 while the first request is still running or its response could not be stored. It offers no
/// type, hook or option for those answers, only a bare problem (status and detail, no code), so they are
/// recognised here, in one place, by what can be checked without reading its text: the endpoint is
/// deduplicated, the request carries a key, and the problem is one this API did not build (every problem
/// of ours has a <c>code</c>).
/// </summary>
public static class DeduplicationRefusals
{
    public static (string Code, string Message)? Recognise(ProblemDetails problem, HttpContext context)
    {
        if (problem.Extensions.ContainsKey("code") || !context.Request.Headers.ContainsKey(IdempotencyReplay.KeyHeader)) return null;
        if (context.GetEndpoint()?.Metadata.GetMetadata<DeduplicatedWithResponseAttribute>() is null) return null;
        return problem.Status switch
        {
            StatusCodes.Status422UnprocessableEntity => ("idempotency_key_reused",
                "This Idempotency-Key was already used for a different request; send a new key for a new request."),
            StatusCodes.Status409Conflict => ("idempotency_key_in_use",
                "A request with this Idempotency-Key is still being processed; retry later."),
            _ => null
        };
    }
}
