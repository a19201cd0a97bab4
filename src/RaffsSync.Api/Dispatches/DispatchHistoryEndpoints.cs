using System.Text.Json;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Authorization;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Templates;
using Wolverine.Http;

namespace RaffsSync.Api.Dispatches;

/// <summary>One provider call: the request as sent (credentials masked) and what came back.</summary>
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

/// <summary>One event of a dispatch's stream, as the timeline shows it.</summary>
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
    /// <summary>Each provider call of a dispatch: the request as sent (credentials masked), status, latency, capped body.</summary>
    [Authorize(Policy = Scopes.DispatchesRead)]
    [WolverineGet("/api/v1/dispatches/{id}/attempts")]
    public static async Task<IResult> Attempts(string id, IQuerySession session, IDocumentStore store, HttpContext context, Caller caller,
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
        return Results.Ok(page.Envelope(attempts.Skip(page.Skip).Take(page.PerPage).ToList(), attempts.Count, context.Request));
    }

    /// <summary>A dispatch's event timeline.</summary>
    [Authorize(Policy = Scopes.DispatchesRead)]
    [WolverineGet("/api/v1/dispatches/{id}/events")]
    public static async Task<IResult> Events(string id, IQuerySession session, IDocumentStore store, HttpContext context, Caller caller,
        CancellationToken cancellation)
    {
        if (await DispatchAccess.FindAsync(session, id, caller, cancellation) is not { } dispatch)
            return DispatchAccess.NotFound(id);

        var timeline = (await StreamAsync(store, dispatch, cancellation))
            .Select(e => new TimelineEvent(e.Sequence, e.Version, e.EventTypeName, e.Timestamp, e.CorrelationId, e.UserName, e.Data))
            .ToList();
        var page = PageRequest.From(context.Request);
        return Results.Ok(page.Envelope(timeline.Skip(page.Skip).Take(page.PerPage).ToList(), timeline.Count, context.Request));
    }

    private static async Task<IReadOnlyList<IEvent>> StreamAsync(IDocumentStore store, Dispatch dispatch, CancellationToken cancellation)
    {
        await using var tenant = store.QuerySession(dispatch.TenantId);
        return await tenant.Events.FetchStreamAsync(dispatch.Id, token: cancellation);
    }
}
