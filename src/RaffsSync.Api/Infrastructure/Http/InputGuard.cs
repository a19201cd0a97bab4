using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using RaffsSync.Domain;
using RaffsSync.Domain.Input;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>
/// Hostile input stops here, after authorization and before any endpoint: NUL and
/// over-long values in the path and query, JSON bodies that break <see cref="JsonInput"/>'s rules,
/// and form bodies the form reader refuses (more than 1,024 fields, malformed multipart).
/// Everything it refuses is a 400 in the API's problem shape, and nothing has been written.
/// </summary>
/// <summary>
/// The endpoint's body is a document written elsewhere (a provider's pushed event), read raw by the endpoint: the
/// guard's rules for this API's own bodies (an object, identifier lengths) are not its to apply.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ForeignBodyAttribute : Attribute;

public static class InputGuard
{
    public static IApplicationBuilder UseInputGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var problem = QueryProblem(context.Request)
                      ?? (context.GetEndpoint()?.Metadata.GetMetadata<ForeignBodyAttribute>() is null ? await BodyProblemAsync(context) : null);
        if (problem is null)
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = problem.Status!.Value;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    });

    private static Microsoft.AspNetCore.Mvc.ProblemDetails? QueryProblem(HttpRequest request)
    {
        if (request.Path.Value?.Contains('\0') == true)
            return Invalid(new FieldError("path", "nul_character", "the path may not contain %00"));
        foreach (var (name, value) in request.RouteValues)
            if (value is string text && IdentifierLimits.CheckTopLevel(JsonNamingPolicy.SnakeCaseLower.ConvertName(name), text) is { } badSegment)
                return Invalid(badSegment);
        foreach (var (name, values) in request.Query)
        {
            var field = $"query.{name}";
            if (name.Contains('\0') || values.Any(v => v?.Contains('\0') == true))
                return Invalid(new FieldError(field, "nul_character", "query values may not contain %00"));
            if (values.Any(v => v?.Length > IdentifierLimits.QueryValue))
                return Invalid(new FieldError(field, "too_long", $"at most {IdentifierLimits.QueryValue} characters"));
        }
        return null;
    }

    private static async Task<Microsoft.AspNetCore.Mvc.ProblemDetails?> BodyProblemAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.HasFormContentType) return await FormProblemAsync(request);
        // No body and no content type at all (curl -X POST with nothing): the endpoint's required body is missing, said
        // here like an empty JSON body; Wolverine's reader would log it as an error with a stack trace.
        if (request.ContentType is null && IsBodyMethod(request) && !await HasBodyAsync(context)) return EmptyBodyProblem(context);
        if (!IsJson(request.ContentType)) return null;
        if (!IsBodyMethod(request)) return null;
        if (request.ContentLength == 0) return EmptyBodyProblem(context);

        var body = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(body, context.RequestAborted);
        }
        catch (BadHttpRequestException e)
        {
            return e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? ApiProblems.Create(413, "payload_too_large", $"The request body is larger than {BodySizeLimit.MaxBytes / (1024 * 1024)} MB.")
                : ApiProblems.Create(400, "invalid_request", "The request could not be read.");
        }
        body.Position = 0;
        request.Body = body;
        context.Response.RegisterForDispose(body);
        if (body.Length == 0) return EmptyBodyProblem(context);

        var bytes = body.GetBuffer().AsSpan(0, (int)body.Length);
        return JsonInput.Check(bytes) switch
        {
            null => WrongTypeProblem(context, bytes),
            { Unparseable: true } problem => ApiProblems.Create(400, "invalid_json", "The request body is not valid JSON.",
                new ProblemDetail(problem.Error.Field, problem.Error.Issue, problem.Error.Hint)),
            var problem => Invalid(problem.Error)
        };
    }

    /// <summary>Whether a request without a content type sends any body (it is buffered, so the endpoint still reads it).</summary>
    private static async Task<bool> HasBodyAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false } || context.Request.ContentLength == 0) return false;
        context.Request.EnableBuffering();
        var probe = new byte[1];
        var read = await context.Request.Body.ReadAsync(probe, context.RequestAborted);
        context.Request.Body.Position = 0;
        return read > 0;
    }

    /// <summary>
    /// A field of the wrong type, found by binding the body to the endpoint's request type here, where
    /// <see cref="JsonException.Path"/> names the field; Wolverine would log each such client error as a
    /// server error with its stack trace.
    /// </summary>
    private static Microsoft.AspNetCore.Mvc.ProblemDetails? WrongTypeProblem(HttpContext context, ReadOnlySpan<byte> body)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is not { } requestType) return null;
        var options = context.RequestServices.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
        try
        {
            JsonSerializer.Deserialize(body, requestType, options);
            return null;
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            return Invalid(new FieldError(field, "wrong_type", null));
        }
    }

    /// <summary>
    /// An empty JSON body where the endpoint binds one is JSON that does not parse, found here like every
    /// other body problem, so that no body failure is left for Wolverine's reader to answer.
    /// </summary>
    private static Microsoft.AspNetCore.Mvc.ProblemDetails? EmptyBodyProblem(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is { RequestType: not null, IsOptional: false }
            ? ApiProblems.Create(400, "invalid_json", "The request body is not valid JSON.",
                new ProblemDetail("body", "invalid_json", "line 0, byte 0"))
            : null;

    private static async Task<Microsoft.AspNetCore.Mvc.ProblemDetails?> FormProblemAsync(HttpRequest request)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            // The form reader's own limits (FormOptions: 1,024 fields, key and value lengths) and malformed multipart bodies.
            return Invalid(new FieldError("body", "invalid_form", "a form of at most 1,024 fields, well formed"));
        }
        foreach (var (name, values) in form)
        {
            if (name.Contains('\0') || values.Any(v => v?.Contains('\0') == true))
                return Invalid(new FieldError(name, "nul_character", "form values may not contain NUL"));
            if (IdentifierLimits.MaxLengthOf(name) is { } max && values.Any(v => v?.Length > max))
                return Invalid(new FieldError(name, "too_long", $"at most {max} characters"));
        }
        return null;
    }

    private static bool IsBodyMethod(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method);

    private static bool IsJson(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase));

    private static Microsoft.AspNetCore.Mvc.ProblemDetails Invalid(FieldError error) =>
        ApiProblems.Create(400, "validation_failed", error.Issue switch
        {
            "not_an_object" => "The request body must be a JSON object.",
            "too_deep" => $"'{error.Field}' is nested deeper than {JsonInput.MaxDepth} levels.",
            "too_long" => $"'{error.Field}' is too long: {error.Hint}.",
            "nul_character" => $"'{error.Field}' contains a NUL character.",
            "invalid_unicode" => $"'{error.Field}' is not valid Unicode.",
            "wrong_type" => $"'{error.Field}' has the wrong type.",
            "number_too_long" or "number_out_of_range" => $"'{error.Field}' is a number out of bounds: {error.Hint}.",
            _ => $"'{error.Field}' is invalid."
        }, new ProblemDetail(error.Field, error.Issue, error.Hint));
}
