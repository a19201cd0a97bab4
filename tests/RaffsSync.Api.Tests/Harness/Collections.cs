namespace RaffsSync.Api.Tests.Harness;

// Each collection gets its own AppFixture, hence its own host and database: collections run in
// parallel, tests inside one collection run one after another.

[CollectionDefinition(Name)]
public sealed class DispatchCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "dispatches";
}

[CollectionDefinition(Name)]
public sealed class HttpContractCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "http contract";
}

[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "registry";
}

[CollectionDefinition(Name)]
public sealed class ConnectionCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "connections";
}

[CollectionDefinition(Name)]
public sealed class RetryCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "retries";
}

[CollectionDefinition(Name)]
public sealed class DispatchQueryCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "dispatch queries";
}

[CollectionDefinition(Name)]
public sealed class IdempotencyCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "idempotency";
}

[CollectionDefinition(Name)]
public sealed class AccessCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "access";
}

[CollectionDefinition(Name)]
public sealed class AuditCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "audit";
}

[CollectionDefinition(Name)]
public sealed class ReportCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "reports";
}

[CollectionDefinition(Name)]
public sealed class FuzzCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "fuzz";
}

[CollectionDefinition(Name)]
public sealed class GeneratedClientCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "generated client";
}

[CollectionDefinition(Name)]
public sealed class WebhookEndpointCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "webhook endpoints";
}

/// <summary>Webhook deliveries with a retry schedule of fractions of a second, so retries run in the test's time.</summary>
public sealed class WebhookDeliveryFixture : AppFixture
{
    public const string Schedule = "PT0.3S,PT0.6S,PT0.3S";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["RaffsSync:Webhooks:RetrySchedule"] = Schedule,
        ["RaffsSync:Webhooks:RetryAfterCap"] = "PT1S"
    };
}

[CollectionDefinition(Name)]
public sealed class WebhookDeliveryCollection : ICollectionFixture<WebhookDeliveryFixture>
{
    public const string Name = "webhook delivery";
}

[CollectionDefinition(Name)]
public sealed class InboundCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "inbound";
}
