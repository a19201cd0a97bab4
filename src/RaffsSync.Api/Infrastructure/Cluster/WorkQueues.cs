using RaffsSync.Api.Dispatches;
using RaffsSync.Api.Webhooks;
using Wolverine;
using Wolverine.Configuration;
using Wolverine.Postgresql;
using Wolverine.RabbitMQ;

namespace RaffsSync.Api.Infrastructure.Cluster;

/// <summary>
/// The queues any worker takes work from, whichever node accepted it: Wolverine's PostgreSQL queues in the
/// event store's database by default, RabbitMQ queues when <c>ConnectionStrings:RabbitMq</c> is set. Every node
/// sends to them through the outbox (the message commits with the events that asked for it); only nodes with the
/// <c>worker</c> role listen. The webhook fan-out stays on a local queue: the subscription that feeds it runs on
/// exactly one node, and one-at-a-time in event order is what ordered endpoints rely on.
/// </summary>
public static class WorkQueues
{
    public const string Dispatches = "dispatches";
    public const string Webhooks = "webhooks";
    public const string Jobs = "jobs";
    public const string RabbitMqConnectionName = "RabbitMq";

    public static IReadOnlyList<string> All { get; } = [Dispatches, Webhooks, Jobs];

    public static void UseSharedWorkQueues(this WolverineOptions opts, IConfiguration configuration, NodeRoles roles)
    {
        var rabbitMq = configuration.GetConnectionString(RabbitMqConnectionName);
        var broker = string.IsNullOrWhiteSpace(rabbitMq) ? (IQueueBroker)new PostgresqlQueues(configuration) : new RabbitMqQueues(opts, rabbitMq);
        opts.Services.AddSingleton(new QueuedMessages(broker is PostgresqlQueues));

        broker.Publish(opts.PublishMessage<ExecuteDispatch>(), Dispatches);
        broker.Publish(opts.PublishMessage<DeliverWebhook>(), Webhooks);
        broker.Publish(opts.PublishMessage<ReleaseOrderedEndpoint>(), Webhooks);
        broker.Publish(opts.PublishMessage<RunReplayJob>(), Jobs);
        broker.Publish(opts.PublishMessage<RunWebhookRecovery>(), Jobs);

        // One at a time: deliveries are created in the order the events happened (ordered endpoints rely on it).
        opts.LocalQueueFor<PublishWebhookEvent>().Sequential();

        if (!roles.Worker) return;
        broker.Listen(opts, Dispatches, configuration.GetValue("RaffsSync:Execution:MaxParallelDispatches", 32));
        broker.Listen(opts, Webhooks, configuration.GetValue("RaffsSync:Webhooks:MaxParallelDeliveries", 32));
        // Bulk replay and recovery jobs progress side by side (one long job does not hold the others back); the
        // handlers are safe for that: they lock each stream they write.
        broker.Listen(opts, Jobs, configuration.GetValue("RaffsSync:Execution:MaxParallelReplayJobs", 10));
    }

    private interface IQueueBroker
    {
        void Publish(IPublishToExpression publishing, string queue);
        void Listen(WolverineOptions opts, string queue, int parallelMessages);
    }

    /// <summary>
    /// Tables in the database, polled. A poll takes up to <c>RaffsSync:Queues:BatchSize</c> messages and the next waits
    /// <c>RaffsSync:Queues:PollingInterval</c>, so one node drains at most BatchSize per interval from each queue.
    /// </summary>
    private sealed class PostgresqlQueues(IConfiguration configuration) : IQueueBroker
    {
        private readonly TimeSpan _pollingInterval = configuration.GetValue("RaffsSync:Queues:PollingInterval", TimeSpan.FromMilliseconds(100));
        private readonly int _batchSize = configuration.GetValue("RaffsSync:Queues:BatchSize", 50);

        public void Publish(IPublishToExpression publishing, string queue) => publishing.ToPostgresqlQueue(queue);

        public void Listen(WolverineOptions opts, string queue, int parallelMessages) =>
            opts.ListenToPostgresqlQueue(queue).PollingInterval(_pollingInterval).MaximumMessagesToReceive(_batchSize)
                .MaximumParallelMessages(parallelMessages);
    }

    /// <summary>Durable on both sides: the outbox holds a message until the broker has it, the inbox until it is handled.</summary>
    private sealed class RabbitMqQueues : IQueueBroker
    {
        public RabbitMqQueues(WolverineOptions opts, string connection)
        {
            var rabbit = Uri.TryCreate(connection, UriKind.Absolute, out var uri) && uri.Scheme.StartsWith("amqp")
                ? opts.UseRabbitMq(uri)
                : opts.UseRabbitMq(connection);
            rabbit.AutoProvision();
        }

        public void Publish(IPublishToExpression publishing, string queue) => publishing.ToRabbitQueue(queue).UseDurableOutbox();

        public void Listen(WolverineOptions opts, string queue, int parallelMessages) =>
            opts.ListenToRabbitQueue(queue).UseDurableInbox().MaximumParallelMessages(parallelMessages);
    }
}

/// <summary>Where a queued message waits before a worker takes it: in the database's queue tables, or in the broker (unseen from here).</summary>
public sealed record QueuedMessages(bool InDatabase)
{
    /// <summary>The schema Wolverine's PostgreSQL transport keeps its queue tables in (its default).</summary>
    public const string Schema = "wolverine_queues";

    /// <summary>The ready and the scheduled table of a queue; none when the queue is a broker's.</summary>
    public IReadOnlyList<string> TablesOf(string queue) =>
        InDatabase ? [$"{Schema}.wolverine_queue_{queue}", $"{Schema}.wolverine_queue_{queue}_scheduled"] : [];
}
