using Microsoft.AspNetCore.Mvc;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>One field-level problem in an error body.</summary>
public sealed record ProblemDetail(string Field, string Issue, string? Hint = null);

/// <summary>
/// The error shape of API.md: RFC 9457 problem details plus <c>code</c>, <c>message</c>,
/// <c>details</c> and <c>request_id</c>. Endpoints build problems with <see cref="Create"/>;
/// every other error (framework 4xx, 500s) is completed by <see cref="Complete"/>.
/// </summary>
public static class ApiProblems
{
    private const string TypeBase = "https://raffssync.io/errors/";

    private static readonly Dictionary<int, (string Code, string Title)> Defaults = new()
    {
        [400] = ("validation_failed", "Validation failed"),
        [401] = ("unauthenticated", "Authentication required"),
        [403] = ("insufficient_scope", "Insufficient scope"),
        [404] = ("not_found", "Not found"),
        [405] = ("method_not_allowed", "Method not allowed"),
        [406] = ("not_acceptable", "Not acceptable"),
        [409] = ("conflict", "Conflict"),
        [413] = ("payload_too_large", "Payload too large"),
        [415] = ("unsupported_media_type", "Unsupported media type"),
        [422] = ("unprocessable", "Unprocessable request"),
        [429] = ("rate_limited", "Too many requests"),
        [500] = ("internal_error", "Internal server error"),
        [503] = ("database_unavailable", "Database unavailable")
    };

    public static ProblemDetails Create(int status, string code, string message, params ProblemDetail[] details) => new()
    {
        Status = status,
        Type = TypeBase + code,
        Title = TitleFor(code),
        Detail = message,
        Extensions =
        {
            ["code"] = code,
            ["message"] = message,
            ["details"] = details
        }
    };

    public static ProblemDetails Validation(params ProblemDetail[] details) =>
        Create(400, "validation_failed", "The request has invalid fields.", details);

    /// <summary>Fills in what a problem from anywhere in the pipeline lacks, and strips internals.</summary>
    public static void Complete(ProblemDetails problem, HttpContext context)
    {
        var status = problem.Status ?? context.Response.StatusCode;
        problem.Status = status;

        if (DeduplicationRefusals.Recognise(problem, context) is var (refusalCode, refusalMessage))
        {
            Rewrite(problem, refusalCode, refusalMessage, []);
        }
        else if (!problem.Extensions.ContainsKey("code"))
        {
            var (code, title) = Defaults.GetValueOrDefault(status, ("error", "Error"));
            var message = status >= 500 ? "An unexpected error occurred." : title + ".";
            problem.Extensions.Clear();
            Rewrite(problem, code, message, []);
        }

        problem.Instance ??= context.Request.Path;
        problem.Extensions.Remove("traceId");
        problem.Extensions.Remove("trace_id");
        problem.Extensions.Remove("exception");
        problem.Extensions["request_id"] = context.TraceIdentifier;
        if (context.Request.Path.StartsWithSegments(TokenEndpoint) && !problem.Extensions.ContainsKey("error"))
        {
            // OAuth client libraries read RFC 6749 section 5.2's members from any error of the token endpoint.
            problem.Extensions["error"] = status switch
            {
                401 => "invalid_client",
                503 => "temporarily_unavailable",
                >= 500 => "server_error",
                _ => "invalid_request"
            };
            problem.Extensions["error_description"] = problem.Detail;
        }
    }

    public const string TokenEndpoint = "/api/v1/oauth/token";

    private static void Rewrite(ProblemDetails problem, string code, string message, ProblemDetail[] details)
    {
        problem.Type = TypeBase + code;
        problem.Title = TitleFor(code);
        problem.Detail = message;
        problem.Extensions["code"] = code;
        problem.Extensions["message"] = message;
        problem.Extensions["details"] = details;
    }

    private static string TitleFor(string code)
    {
        var words = code.Replace('_', ' ');
        return char.ToUpperInvariant(words[0]) + words[1..];
    }
}
