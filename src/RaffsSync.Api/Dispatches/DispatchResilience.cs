using System.Diagnostics;
using JasperFx;
using JasperFx.CodeGeneration;
using Wolverine.Configuration;
using Wolverine.Runtime.Handlers;
using Marten;
using Marten.Exceptions;
using RaffsSync.Api.Infrastructure.Cluster;
using RaffsSync.Api.Infrastructure.Postgres;
using RaffsSync.Domain.Dispatches;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Runtime;

namespace RaffsSync.Api.Dispatches;

/// <summary>
/// What keeps the promise that every accepted dispatch reaches a final status when PostgreSQL
/// goes away: handlers ride out a database outage of minutes (inline retries with a cooldown, then
/// scheduled retries); an execute message that is dead-lettered all the same stops its dispatch
/// with the reason; and the <see cref="DispatchReconciler"/> queues again any dispatch left waiting
/// without a message.
/// </summary>
public static class DispatchResilience
{
    /// <summary>Inline retries: short outages (a restart) pass without the message leaving its worker.</summary>
    private static readonly TimeSpan[] Cooldowns =
        [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    /// <summary>Then scheduled retries, about 15 minutes in all, so long outages do not hold the workers.</summary>
    private static readonly TimeSpan[] ScheduledRetries =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30),
        .. Enumerable.Repeat(TimeSpan.FromMinutes(1), 13)
    ];

    public static void AddDispatchResilience(this WolverineOptions opts, IConfiguration configuration, NodeRoles roles)
    {
        RetryTransientFailures(opts);

        // The execute message: the same retries, and whatever still fails leaves a trace on the dispatch.
        opts.Policies.Add(new GiveUpVisibly());

        opts.Services.AddSingleton(ReconcilerSettings.From(configuration));
        // Worker work: it queues messages only workers take.
        if (roles.Worker) opts.Services.AddHostedService<DispatchReconciler>();
    }

    /// <summary>
    /// Transient database failures; and lost races on a stream (two replay jobs, a replay and the
    /// executor), which the handler decides again from the fresh state.
    /// </summary>
    private static void RetryTransientFailures(WolverineOptions opts)
    {
        RetryLostRaces(opts);
        RetryDatabaseFailures(opts);
    }

    private static IAdditionalActions RetryLostRaces(IWithFailurePolicies policies) =>
        policies.OnException<ConcurrencyException>().Or<StreamLockedException>()
            .RetryWithCooldown(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250),
                TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1))
            .Then.ScheduleRetry(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));

    private sealed class GiveUpVisibly : IHandlerPolicy
    {
        public void Apply(IReadOnlyList<HandlerChain> chains, GenerationRules rules, IServiceContainer container)
        {
            foreach (var chain in chains)
            {
                IContinuationSource? giveUp = chain.MessageType == typeof(ExecuteDispatch) ? new DeadLetterDispatch()
                    : chain.MessageType == typeof(RunReplayJob) ? new FailReplayJob()
                    : chain.MessageType == typeof(Webhooks.DeliverWebhook) ? new Webhooks.FailWebhookDelivery()
                    : null;
                if (giveUp is null) continue;

                // A lost race is decided again on the fresh stream (a cancel that came in during a token fetch: nothing to do).
                RetryLostRaces(chain).Then.ContinueWith(giveUp);
                RetryDatabaseFailures(chain).Then.ContinueWith(giveUp);
                // A cancellation is the host stopping mid-call: left to Wolverine, the next process picks the message up.
                chain.OnException(e => e is not OperationCanceledException, "any failure but a cancellation").ContinueWith(giveUp);
            }
        }
    }

    private static IAdditionalActions RetryDatabaseFailures(IWithFailurePolicies policies) =>
        policies.OnException(DatabaseFailures.IsTransient, "PostgreSQL is unreachable or shutting down")
            .RetryWithCooldown(Cooldowns).WithBoundedJitter(0.5)
            .Then.ScheduleRetry(ScheduledRetries);
}

/// <summary>
/// A message that still fails goes to the dead letters, but first what it was working on gets a
/// final status with the cause (the exception's type only: its message could carry a request's
/// details). If the database is still away, that record is lost: the reconciler catches the dispatch later.
/// </summary>
internal abstract class GiveUpContinuation(Exception? exception) : IContinuationSource, IContinuation
{
    public abstract string Description { get; }

    public abstract IContinuation Build(Exception ex, Envelope envelope);

    protected abstract Task RecordAsync(Envelope envelope, IDocumentStore store, string cause, DateTimeOffset now);

    /// <summary>After the record: messages that must follow it (the lifecycle sends them as the dead-lettered message's own).</summary>
    protected virtual Task AfterRecordAsync(Envelope envelope, IDocumentStore store, IMessageBus bus) => Task.CompletedTask;

    /// <summary>The record carries the request id the message carried, like every other event of that request.</summary>
    protected static void FollowEnvelope(IDocumentSession session, Envelope envelope)
    {
        session.CorrelationId = envelope.CorrelationId;
        session.CausationId = envelope.Id.ToString();
    }

    public async ValueTask ExecuteAsync(IEnvelopeLifecycle lifecycle, IWolverineRuntime runtime, DateTimeOffset now, Activity? activity)
    {
        var failure = exception ?? new InvalidOperationException("unknown failure");
        try
        {
            if (lifecycle.Envelope is { } envelope)
            {
                var store = runtime.Services.GetRequiredService<IDocumentStore>();
                await RecordAsync(envelope, store, failure.GetType().Name, now);
                await AfterRecordAsync(envelope, store, lifecycle);
            }
        }
        catch (Exception e)
        {
            runtime.Logger.LogWarning(e, "Could not record the failure of envelope {EnvelopeId}", lifecycle.Envelope?.Id);
        }
        await lifecycle.MoveToDeadLetterQueueAsync(failure);
    }
}

/// <summary>The dispatch stops as dead-lettered, so its status is final and a replay can run it.</summary>
internal sealed class DeadLetterDispatch(Exception? exception = null) : GiveUpContinuation(exception)
{
    public override string Description => "Dead-letter the message and its dispatch";

    public override IContinuation Build(Exception ex, Envelope envelope) => new DeadLetterDispatch(ex);

    protected override async Task RecordAsync(Envelope envelope, IDocumentStore store, string cause, DateTimeOffset now)
    {
        if (envelope is not { Message: ExecuteDispatch command, TenantId: { } tenantId }) return;

        await using var session = store.LightweightSession(tenantId);
        FollowEnvelope(session, envelope);
        var stream = await session.Events.FetchForWriting<Dispatch>(command.DispatchId);
        if (stream.Aggregate is not { } dispatch || DispatchRecovery.ExecutorGaveUp(dispatch, cause, now) is not { } deadLettered) return;

        stream.AppendOne(deadLettered);
        await session.SaveChangesAsync();
    }
}

/// <summary>The bulk replay job fails with the cause: it does not stay running forever.</summary>
internal sealed class FailReplayJob(Exception? exception = null) : GiveUpContinuation(exception)
{
    public override string Description => "Dead-letter the message and fail its replay job";

    public override IContinuation Build(Exception ex, Envelope envelope) => new FailReplayJob(ex);

    protected override async Task RecordAsync(Envelope envelope, IDocumentStore store, string cause, DateTimeOffset now)
    {
        if (envelope.Message is not RunReplayJob command) return;

        await using var session = store.LightweightSession();
        FollowEnvelope(session, envelope);
        var stream = await session.Events.FetchForWriting<ReplayJob>(command.JobId);
        if (stream.Aggregate?.GiveUp(cause, now) is not { } failed) return;

        stream.AppendOne(failed);
        await session.SaveChangesAsync();
    }
}

/// <summary><c>RaffsSync:Reconciler</c>: how often the reconciler looks, and how long a dispatch waits before it counts as stranded.</summary>
public sealed record ReconcilerSettings(TimeSpan Interval, TimeSpan StaleAfter, int BatchSize = 500)
{
    public static ReconcilerSettings From(IConfiguration configuration) => new(
        configuration.GetValue("RaffsSync:Reconciler:Interval", TimeSpan.FromSeconds(30)),
        configuration.GetValue("RaffsSync:Reconciler:StaleAfter", TimeSpan.FromMinutes(1)));
}
