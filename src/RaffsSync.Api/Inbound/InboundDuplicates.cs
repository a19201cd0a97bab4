using Marten;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using RaffsSync.Api.Infrastructure;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain.Inbound;

namespace RaffsSync.Api.Inbound;

/// <summary>
/// Two pushes of the same event at the same moment both pass the dedupe check, and both write its dedupe record; the
/// database lets one commit. The other one's whole transaction (its event, its dispatches, its messages) is rolled back,
/// and it answers what a later repeat would: 200 with the first event's id. Registered before <see cref="ConcurrencyConflicts"/>,
/// which would answer 409.
/// </summary>
public sealed class InboundDuplicates(IDocumentStore store, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    ILogger<InboundDuplicates> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellation)
    {
        if (context.Items[ReceiveInboundEventEndpoint.DedupeKeyItem] is not Guid keyId || !LostTheRace(exception)) return false;

        await using var session = store.QuerySession();
        if (await session.LoadAsync<InboundEventKey>(keyId, cancellation) is not { } winner) return false;

        logger.LogInformation("A concurrent push of inbound event {InboundEventId} committed first; this one is its duplicate", winner.InboundEventId);
        context.Response.StatusCode = StatusCodes.Status200OK;
        await context.Response.WriteAsJsonAsync(new InboundEventDuplicate(winner.InboundEventId, true), json.Value.SerializerOptions, cancellation);
        return true;
    }

    private static bool LostTheRace(Exception exception) =>
        exception.Find<JasperFx.DocumentAlreadyExistsException>() is not null
        || exception.Find<JasperFx.ConcurrencyException>() is not null
        || exception.Find<PostgresException>() is { SqlState: ConcurrencyConflicts.UniqueViolation };
}
