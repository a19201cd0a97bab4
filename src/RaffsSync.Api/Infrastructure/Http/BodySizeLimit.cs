using Microsoft.AspNetCore.Http.Features;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>
/// Bodies over 10 MB answer 413 before anything reads them. A declared Content-Length is checked
/// up front; a chunked body is cut off by the server's own limit while it is read.
/// </summary>
public static class BodySizeLimit
{
    public const long MaxBytes = 10 * 1024 * 1024;

    public static IApplicationBuilder UseBodySizeLimit(this IApplicationBuilder app, long maxBytes) => app.Use(async (context, next) =>
    {
        if (context.Request.ContentLength > maxBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = ApiProblems.Create(413, "payload_too_large",
                    $"The request body is larger than {maxBytes / (1024 * 1024)} MB.")
            });
            return;
        }

        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false }) sizeFeature.MaxRequestBodySize = maxBytes;
        await next(context);
    });
}
