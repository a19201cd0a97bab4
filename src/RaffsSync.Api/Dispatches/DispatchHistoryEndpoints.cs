using System.Text.Json;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Templates;
using Wolverine.Http;

namespace RaffsSync.Api.Dispatches;

/// <summary>One provider call: the request as sent (credentials masked) and what came back.</summary>
/// <param name="Attempt">The attempt's number, from 1; a replay continues the count.</param>
/// <param name="StartedAt">When the call began.</param>
/// <param name="Request">The request exactly as sent, with every credential replaced by a mask.</param>
/// <param name="StatusCode">The provider's HTTP status; absent when it could not be reached or the attempt is still running.</param>
/// <param name="LatencyMs">How long the call took, in milliseconds.</param>
/// <param name="ResponseBody">The provider's response body as text, cut at 64 KB.</param>
/// <param name="ResponseTruncated">Whether <c>response_body</c> was cut.</param>
/// <param name="ResponseSha256">The SHA-256 (hex) of the whole response body, cut or not.</param>
/// <param name="Error">Why there was no answer: unreachable, timed out, or interrupted.</param>
/// <param name="FinishedAt">When the call ended; absent while it runs.</param>
public sealed record AttemptView(
    int Attempt,
    DateTimeOffset StartedAt,
    RenderedRequest Request,
    int? StatusCode,
    long? LatencyMs,
    string? ResponseBody,
    bool ResponseTruncated,
    string? ResponseSha256,
    string? Error,
    DateTimeOffset? FinishedAt);

/// <summary>One event in a dispatch's history.</summary>
/// <param name="Sequence">The event's position among all events (global, increasing).</param>
/// <param name="Version">The event's position in this dispatch's history, from 1.</param>
/// <param name="Type">The event type, such as <c>dispatch_requested</c> or <c>provider_responded</c>.</param>
/// <param name="OccurredAt">When the event was recorded.</param>
/// <param name="RequestId">The <c>X-Request-Id</c> of the request that caused it, if a request did.</param>
/// <param name="Actor">Who caused it: the API key id or OAuth client id (the executor's events carry the actor of the request they follow).</param>
/// <param name="Data">The event's fields; their shape depends on <c>type</c>.</param>
public sealed record TimelineEvent(
    long Sequence,
    long Version,
    string Type,
    DateTimeOffset OccurredAt,
    string? RequestId,
    string? Actor,
    object Data);

public static class DispatchHistoryEndpoints
{
    /// <summary>List a dispatch's attempts</summary>
    /// <remarks>
    /// Each call made to the provider for the dispatch, oldest first: the request as sent (credentials masked), the status
    /// code, the latency and the response body (cut at 64 KB, with the whole body's SHA-256).
    /// </remarks>
    [Authorize(Policy = Scopes.DispatchesRead)]
    [QueryString<PageRequest>]
    [WolverineGet("/api/v1/dispatches/{id}/attempts", OperationId = "listDispatchAttempts")]
    public static async Task<Results<Ok<PageEnvelope<AttemptView>>, ProblemHttpResult>> Attempts(string id, IQuerySession session, IDocumentStore store, HttpContext context, Caller caller,
        CancellationToken cancellation)
    {
        if (await DispatchAccess.FindAsync(session, id, caller, cancellation) is not { } dispatch)
            return DispatchAccess.NotFound(id);

        var events = await StreamAsync(store, dispatch, cancellation);
        var attempts = new List<AttemptView>();
        foreach (var e in events.Select(e => e.Data))
        {
            switch (e)
            {
                case DispatchAttemptStarted started:
                    attempts.Add(new AttemptView(started.Attempt, started.StartedAt, started.Request, null, null, null, false, null, null, null));
                    break;
                case ProviderResponded r when attempts.Count > 0 && attempts[^1].Attempt == r.Attempt:
                    attempts[^1] = attempts[^1] with
                    {
                        StatusCode = r.StatusCode, LatencyMs = r.LatencyMs, ResponseBody = r.Body, ResponseTruncated = r.BodyTruncated,
                        ResponseSha256 = r.BodySha256, FinishedAt = r.RespondedAt
                    };
                    break;
                case ProviderUnreachable u when attempts.Count > 0 && attempts[^1].Attempt == u.Attempt:
                    attempts[^1] = attempts[^1] with { LatencyMs = u.LatencyMs, Error = u.Error, FinishedAt = u.FailedAt };
                    break;
                case DispatchAttemptInterrupted i when attempts.Count > 0 && attempts[^1].Attempt == i.Attempt:
                    attempts[^1] = attempts[^1] with { Error = "interrupted: no answer was recorded", FinishedAt = i.DetectedAt };
                    break;
            }
        }

        var page = PageRequest.From(context.Request);
        return TypedResults.Ok(page.Envelope(attempts.Skip(page.Skip).Take(page.PerPage).ToList(), attempts.Count, context.Request));
    }

    /// <summary>List a dispatch's events</summary>
    /// <remarks>
    /// The dispatch's history, oldest first: every event recorded for it, such as its request, each attempt and answer, retries,
    /// replays, cancellation and its outcome, with the request and actor that caused each one.
    /// </remarks>
    [Authorize(Policy = Scopes.DispatchesRead)]
    [QueryString<PageRequest>]
    [WolverineGet("/api/v1/dispatches/{id}/events", OperationId = "listDispatchEvents")]
    public static async Task<Results<Ok<PageEnvelope<TimelineEvent>>, ProblemHttpResult>> Events(string id, IQuerySession session, IDocumentStore store, HttpContext context, Caller caller,
        CancellationToken cancellation)
    {
        if (await DispatchAccess.FindAsync(session, id, caller, cancellation) is not { } dispatch)
            return DispatchAccess.NotFound(id);

        var timeline = (await StreamAsync(store, dispatch, cancellation))
            .Select(e => new TimelineEvent(e.Sequence, e.Version, e.EventTypeName, e.Timestamp, e.CorrelationId, e.UserName, e.Data))
            .ToList();
        var page = PageRequest.From(context.Request);
        return TypedResults.Ok(page.Envelope(timeline.Skip(page.Skip).Take(page.PerPage).ToList(), timeline.Count, context.Request));
    }

    private static async Task<IReadOnlyList<IEvent>> StreamAsync(IDocumentStore store, Dispatch dispatch, CancellationToken cancellation)
    {
        await using var tenant = store.QuerySession(dispatch.TenantId);
        return await tenant.Events.FetchStreamAsync(dispatch.Id, token: cancellation);
    }
}
