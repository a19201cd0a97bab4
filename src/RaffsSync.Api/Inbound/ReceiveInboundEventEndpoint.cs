using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Connections;
using RaffsSync.Api.Dispatches;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Connections;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Inbound;
using RaffsSync.Domain.Input;
using RaffsSync.Domain.Registry;
using Wolverine;
using Wolverine.Http;
using Route = RaffsSync.Domain.Registry.Route;

namespace RaffsSync.Api.Inbound;

/// <summary>A push that verified and whose event type was read: what is stored. Or the refusal, when it is refused (nothing is stored).</summary>
public sealed record InboundPush(
    ProblemDetails? Refusal,
    Provider Provider = null!,
    Connection Connection = null!,
    InboundSettings Settings = null!,
    byte[] Body = null!,
    string EventType = "",
    string? ProviderEventId = null)
{
    public static InboundPush Refused(ProblemDetails problem) => new(problem);
}

/// <summary>
/// A provider pushes an event to a location's connection. The signature is the credential: the connection's credentials
/// verify it, by the provider's <c>inbound</c> settings. The event, its dedupe record, its routing and the dispatches chain
/// routes start are written in one transaction, with the execute messages (the outbox), or nothing is.
/// </summary>
public static class ReceiveInboundEventEndpoint
{
    public const int MaxBodyBytes = 1024 * 1024;
    public const int KeptBodyBytes = 64 * 1024;
    public const int MaxProviderEventIdLength = 200;

    /// <summary>The dedupe record this request writes, for <see cref="InboundDuplicates"/> when a concurrent push wrote it first.</summary>
    public const string DedupeKeyItem = "raffssync.inbound.dedupe_key";

    public static async Task<InboundPush> LoadAsync(string provider, string connectionId, HttpContext context, IDocumentSession session,
        SecretVault vault, TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellation)
    {
        // One answer for an unknown, removed or foreign connection: a caller learns nothing about connections it does not hold.
        var connection = Guid.TryParse(connectionId, out var id) ? await ConnectionLookup.FindAnyTenantAsync(session, id, cancellation) : null;
        var owner = connection is { Active: true } && connection.Provider == provider
            ? await session.LoadAsync<Provider>(RegistryIds.Provider(provider), cancellation)
            : null;
        if (owner is not { Retired: false })
            return InboundPush.Refused(ApiProblems.Create(404, "connection_not_found",
                $"Provider '{provider}' has no active connection '{connectionId}'."));

        if (owner.EffectiveInbound() is not { Signature: { } scheme } settings)
            return InboundPush.Refused(InvalidSignature($"Provider '{provider}' takes no pushed events: it has no inbound settings."));

        if (await ReadBodyAsync(context.Request, cancellation) is not { } body)
            return InboundPush.Refused(ApiProblems.Create(413, "payload_too_large", $"A pushed event is at most {MaxBodyBytes / 1024 / 1024} MB."));

        var credentials = await ConnectionLookup.CredentialsAsync(session, vault, connection!, cancellation);
        var verdict = InboundVerification.Verify(scheme, name => Header(context.Request, name), body, credentials, clock.GetUtcNow());
        if (!verdict.Verified)
        {
            loggers.CreateLogger(typeof(ReceiveInboundEventEndpoint))
                .LogInformation("Push to {Provider} connection {ConnectionId} refused: {Reason}", provider, connection!.Id, verdict.Reason);
            return InboundPush.Refused(InvalidSignature("The push's signature did not verify."));
        }

        if (StorageProblem(body) is { } unstorable) return InboundPush.Refused(unstorable);
        var json = AsJson(body);
        if (json is null && (InboundExpression.ReadsBody(settings.EffectiveEventType) || InboundExpression.ReadsBody(settings.EffectiveEventId)))
            return InboundPush.Refused(ApiProblems.Create(400, "invalid_json",
                "The body is not JSON, and the provider's event type or event id is read from it.", new ProblemDetail("body", "invalid_json")));

        var eventType = Read(settings.EffectiveEventType, context.Request, json);
        if (eventType is null)
            return InboundPush.Refused(ApiProblems.Create(400, "event_type_missing",
                $"The push has no event type where the provider's settings read it ({settings.EffectiveEventType}).",
                new ProblemDetail("event_type", "missing", settings.EffectiveEventType)));
        if (!InboundEventTypes.IsValid(eventType))
            return InboundPush.Refused(ApiProblems.Create(400, "event_type_invalid", $"The event type is not one RaffsSync can route.",
                new ProblemDetail("event_type", "invalid", InboundEventTypes.Hint)));

        var providerEventId = Read(settings.EffectiveEventId, context.Request, json);
        // An id that is there but unreadable would silently turn off deduplication for every repeat of the event.
        if (providerEventId is null && InboundExpression.FindsOtherThanText(settings.EffectiveEventId, json))
            return InboundPush.Refused(ApiProblems.Validation(new ProblemDetail("event_id", "invalid",
                $"the event id ({settings.EffectiveEventId}) must be a string or a number")));
        if (IdentifierLimits.Check("event_id", providerEventId, MaxProviderEventIdLength) is { } badId)
            return InboundPush.Refused(ApiProblems.Validation(new ProblemDetail(badId.Field, badId.Issue, badId.Hint)));

        return new InboundPush(null, owner, connection!, settings, body, eventType, providerEventId);
    }

    public static ProblemDetails Validate([NotBody] InboundPush push) => push.Refusal ?? WolverineContinue.NoProblems;

    /// <summary>Receive a pushed event</summary>
    /// <remarks>
    /// Where a provider pushes events for a location: the URL names the provider and the location's connection to it. No API
    /// key: the push is verified by the provider's <c>inbound</c> settings (an HMAC-SHA256 signature over the raw body, and a
    /// timestamp where the scheme has one; a shared token; or HTTP Basic) against the connection's credentials, in constant
    /// time. A bad or missing signature, a timestamp outside the tolerance (either way) or a connection that lacks the
    /// credential is 401 <c>invalid_signature</c>, and nothing is stored. An unknown, removed or other provider's connection
    /// is 404 <c>connection_not_found</c>. A body over 1 MB is 413.
    ///
    /// The event type and the provider's event id are read from the body (JMESPath) or a header; no event type is 400
    /// <c>event_type_missing</c>. An event id the connection already received within the dedupe window (default 7 days)
    /// answers 200 <c>{id, duplicate: true}</c> with the first event's id and stores nothing, also when the same event
    /// arrives twice at once. Otherwise the event is stored (its body kept up to 64 KB, with the SHA-256 of the whole) and
    /// every enabled route of the provider for its event type runs: <c>forward</c> routes send it to the location's webhook
    /// endpoints, <c>chain</c> routes start a dispatch (its <c>caused_by_inbound_event</c> is this event). 202 with the event
    /// and its routes; <c>Location</c> is <c>GET /api/v1/inbound-events/{id}</c>. An event no route takes is stored as
    /// <c>unrouted</c>, with the reason. The request's <c>X-Request-Id</c> is the correlation id of everything it causes.
    /// </remarks>
    [AllowAnonymous]
    [ForeignBody]
    [DocumentedBody<PushedEvent>(nameof(PushedEvent))]
    [ProblemResponses(401, 404, 413)]
    [WolverinePost("/api/v1/inbound/{provider}/{connectionId}", OperationId = "receiveInboundEvent")]
    public static async Task<(Results<Accepted<InboundEventAccepted>, Ok<InboundEventDuplicate>>, OutgoingMessages)> Post(
        [NotBody] InboundPush push, IDocumentSession session, HttpContext context, TimeProvider clock, CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        var connection = push.Connection;
        var inboundId = Guid.CreateVersion7();

        var existing = push.ProviderEventId is { } providerEventId
            ? await session.LoadAsync<InboundEventKey>(InboundEventKey.IdFor(connection.Id, providerEventId), cancellation)
            : null;
        var dedupe = InboundDedupe.Decide(existing, connection.Id, push.ProviderEventId, inboundId, now, push.Settings.EffectiveDedupeWindow);
        if (dedupe is InboundDedupe.Duplicate duplicate)
            return (TypedResults.Ok(new InboundEventDuplicate(duplicate.InboundEventId, true)), []);

        // Two pushes of one event racing past the check above both write this record; the loser's commit fails, and
        // InboundDuplicates answers it as the duplicate it is.
        if (dedupe is InboundDedupe.Store { Key: { } key } store)
        {
            context.Items[DedupeKeyItem] = key.Id;
            if (store.Replaces is { } revision) session.UpdateRevision(key, revision + 1);
            else session.Insert(key);
        }

        var received = Received(push, inboundId, now);
        var routes = await session.Query<Route>().Where(r => r.Provider == push.Provider.Key).ToListAsync(cancellation);
        var matching = InboundRouting.Matching(routes, push.EventType);
        var targets = new Dictionary<string, ChainTargetState>();
        foreach (var route in matching.Where(r => r.Current.Chain is not null))
            targets[route.RouteKey] = await ChainTargetAsync(session, route.Current.Chain!, connection, cancellation);

        var plan = InboundRouting.Plan(received, matching, targets, Encoding.UTF8.GetString(push.Body), connection.Settings,
            Guid.CreateVersion7, now);

        var tenant = session.ForTenant(connection.TenantId);
        tenant.Events.StartStream<InboundEvent>(inboundId, [received, .. plan.Events]);
        var execute = new OutgoingMessages();
        foreach (var requested in plan.Dispatches)
        {
            tenant.Events.StartStream<Dispatch>(requested.DispatchId, requested);
            execute.Add(new ExecuteDispatch(requested.DispatchId).WithTenantId(connection.TenantId));
        }

        var stored = plan.Events.Aggregate(InboundEvent.Start(received), (current, e) => current.After(e));
        return (TypedResults.Accepted(ResourcePath.Of("inbound-events", inboundId), InboundEventAccepted.From(stored)), execute);
    }

    private static InboundEventReceived Received(InboundPush push, Guid inboundId, DateTimeOffset now)
    {
        var body = push.Body;
        var truncated = body.Length > KeptBodyBytes;
        return new InboundEventReceived(inboundId, push.Connection.TenantId, push.Provider.Key, push.Connection.Id, push.Connection.Environment,
            push.EventType, push.ProviderEventId, Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, KeptBodyBytes)), truncated,
            Convert.ToHexStringLower(SHA256.HashData(body)), now);
    }

    /// <summary>What a chain route's target is for the event's location, in the environment of the connection it came in on.</summary>
    private static async Task<ChainTargetState> ChainTargetAsync(IDocumentSession session, ChainTarget chain, Connection inbound,
        CancellationToken cancellation) => new(
        await session.LoadAsync<Route>(RegistryIds.Route(chain.Provider, chain.RouteKey), cancellation),
        await session.LoadAsync<Provider>(RegistryIds.Provider(chain.Provider), cancellation),
        await ConnectionLookup.FindActiveAsync(session, inbound.TenantId, chain.Provider, inbound.Environment, cancellation));

    /// <summary>The raw body, at most <see cref="MaxBodyBytes"/>; null when it is longer.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellation)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellation)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && values.Count > 0 ? values.ToString() : null;

    /// <summary>
    /// What keeps a verified body from being stored and routed: a NUL (PostgreSQL refuses U+0000, raw or escaped in
    /// JSON), nesting past what stored events are read back with, numbers PostgreSQL cannot keep. Any JSON value is fine.
    /// </summary>
    private static ProblemDetails? StorageProblem(byte[] body)
    {
        if (body.AsSpan().IndexOf((byte)0) >= 0)
            return ApiProblems.Validation(new ProblemDetail("body", "nul_character", "a pushed event may not contain NUL bytes"));
        return JsonInput.Check(body, request: false) is { Unparseable: false } problem
            ? ApiProblems.Validation(new ProblemDetail(problem.Error.Field, problem.Error.Issue, problem.Error.Hint))
            : null;
    }

    /// <summary>The body as JSON text, or null when it is not JSON.</summary>
    private static string? AsJson(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return Encoding.UTF8.GetString(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Read(string expression, HttpRequest request, string? json)
    {
        try
        {
            return InboundExpression.Evaluate(expression, name => Header(request, name), json);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null; // a JMESPath function given the wrong type of value: the value is not there
        }
    }

    private static ProblemDetails InvalidSignature(string message) => ApiProblems.Create(401, "invalid_signature", message);
}
