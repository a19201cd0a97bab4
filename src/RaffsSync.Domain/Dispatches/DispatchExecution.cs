using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;

namespace RaffsSync.Domain.Dispatches;

/// <summary>Pure decisions of the executor: which events record one attempt and its outcome.</summary>
public static class DispatchExecution
{
    public static IReadOnlyList<object> RecordAttempt(
        Dispatch dispatch, RouteDefinition route, RenderedRequest request, ProviderCallResult result,
        DateTimeOffset startedAt, DateTimeOffset finishedAt)
    {
        var attempt = dispatch.Attempts + 1;
        var events = new List<object> { new DispatchAttemptStarted(dispatch.Id, attempt, request, startedAt) };

        DispatchOutcome outcome;
        switch (result)
        {
            case ProviderCallResult.Responded r:
                events.Add(new ProviderResponded(dispatch.Id, attempt, r.StatusCode, r.LatencyMs, r.Body,
                    r.BodyTruncated, r.BodySha256, finishedAt));
                outcome = DispatchOutcome.FromStatusCode(route, r.StatusCode);
                break;
            case ProviderCallResult.Unreachable u:
                events.Add(new ProviderUnreachable(dispatch.Id, attempt, u.Error, u.LatencyMs, finishedAt));
                outcome = DispatchOutcome.Unreachable(u.Error);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(result));
        }

        events.Add(outcome switch
        {
            DispatchOutcome.Succeeded => new DispatchSucceeded(dispatch.Id, attempt, finishedAt),
            DispatchOutcome.Failed f => new DispatchFailed(dispatch.Id, attempt, f.Type, f.Reason, finishedAt),
            _ => throw new ArgumentOutOfRangeException(nameof(outcome))
        });
        return events;
    }

    /// <summary>The route or payload could not produce a request: nothing was sent.</summary>
    public static IReadOnlyList<object> RecordRenderFailure(Dispatch dispatch, TemplateException error, DateTimeOffset now) =>
        RecordFailureBeforeSending(dispatch, FailureType.Render, $"{error.TemplatePath}: {error.Message}", now);

    /// <summary>The dispatch cannot be sent at all (no connection, no token): nothing reached the provider.</summary>
    public static IReadOnlyList<object> RecordFailureBeforeSending(Dispatch dispatch, FailureType type, string reason, DateTimeOffset now) =>
        [new DispatchFailed(dispatch.Id, dispatch.Attempts, type, reason, now)];
}
