using Wolverine.Http;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>
/// <c>Idempotent-Replayed: true</c> on a response Wolverine's <c>[DeduplicatedWithResponse]</c>
/// answered from an earlier request's stored response. An endpoint marks the requests it really
/// executed; a successful answer to a keyed request on such an endpoint that did not execute is a replay.
/// </summary>
public static class IdempotencyReplay
{
    public const string KeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private static readonly object Executed = new();

    public static void MarkExecuted(HttpContext context) => context.Items[Executed] = true;

    public static IApplicationBuilder UseIdempotencyReplayHeader(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.Headers.ContainsKey(KeyHeader))
        {
            context.Response.OnStarting(() =>
            {
                var deduplicated = context.GetEndpoint()?.Metadata.GetMetadata<DeduplicatedWithResponseAttribute>() is not null;
                if (deduplicated && context.Response.StatusCode < 400 && !context.Items.ContainsKey(Executed))
                    context.Response.Headers[ReplayedHeader] = "true";
                return Task.CompletedTask;
            });
        }
        return next(context);
    });
}
