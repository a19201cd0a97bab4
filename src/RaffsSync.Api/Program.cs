using System.Text.Json;
using System.Text.Json.Serialization;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.Events.Daemon;
using JasperFx.MultiTenancy;
using Marten;
using RaffsSync.Api.Access;
using RaffsSync.Api.Audit;
using RaffsSync.Api.Connections;
using RaffsSync.Api.Dispatches;
using RaffsSync.Api.Health;
using RaffsSync.Api.Inbound;
using RaffsSync.Api.Infrastructure.Cluster;
using RaffsSync.Api.Infrastructure.Hosting;
using RaffsSync.Api.Infrastructure;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.OpenApi;
using RaffsSync.Api.Infrastructure.Postgres;
using RaffsSync.Api.Infrastructure.RateLimits;
using RaffsSync.Api.Registry;
using RaffsSync.Api.Sandbox;
using RaffsSync.Api.Webhooks;
using RaffsSync.Api.WebConsole;
using RaffsSync.Domain.Inbound;
using RaffsSync.Projections;
using Scalar.AspNetCore;
using Weasel.Core;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

var builder = WebApplication.CreateBuilder(args);
builder.ListenOnDefaultAddressUnlessConfigured();
builder.KeepLogsOffStandardOutputForCommands(args);
var roles = NodeRoles.From(builder.Configuration);
builder.Services.AddSingleton(roles);

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<DatabaseConnection>();
builder.Services.AddRaffsSyncDataSource();
builder.Services.AddSingleton<AuditLogReader>();

// Marten: the event store and documents. Dispatch streams belong to a location (tenant);
// registry and access streams are global.
builder.Services.AddMarten(services =>
    {
        var opts = new StoreOptions();
        opts.UseRaffsSyncDataSource(services);
        opts.DatabaseSchemaName = "raffssync";
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.SnakeCase);
        opts.Events.TenancyStyle = TenancyStyle.Conjoined;
        opts.Events.MetadataConfig.CorrelationIdEnabled = true;
        opts.Events.MetadataConfig.CausationIdEnabled = true;
        opts.Events.MetadataConfig.HeadersEnabled = true;
        opts.Events.MetadataConfig.UserNameEnabled = true;
        // Leadership of the async daemon: a transaction-scoped advisory lock. The session-scoped kind goes
        // through DistributedLock.Postgres's multiplexing, which the served 1.3.1 refuses on a data source.
        opts.Events.UseAdvisoryLockTransaction = true;
        opts.AddRaffsSyncProjections(services.GetRequiredService<ILoggerFactory>());
        opts.Logger(new MartenFailureLog(services.GetRequiredService<ILoggerFactory>().CreateLogger("Marten")));
        opts.Schema.For<ConnectionSecret>().MultiTenanted();
        opts.Schema.For<WebhookEndpointSecret>();
        opts.Schema.For<ConsoleSession>();
        opts.Schema.For<DataProtectionKey>();
        opts.Schema.For<ConsoleFormClaim>();
        // Revisions let a push replace the dedupe record of an event id whose window has passed, and only one such push.
        opts.Schema.For<InboundEventKey>().UseNumericRevisions(true).Metadata(m => m.Revision.MapTo(k => k.Version));
        return opts;
    })
    .UseLightweightSessions()
    .ApplyAllDatabaseChangesOnStartup()
    .InitializeWith<BuiltInRegistry>()
    .InitializeWith(new ReadModelSchema())
    // The audit log, the reports and the webhook publisher are async shards; Wolverine's elected leader gives
    // each to one node with the projections role and moves it when that node goes away.
    .IntegrateWithWolverine(wolverine => wolverine.UseWolverineManagedEventSubscriptionDistribution = true)
    // Final dispatch outcomes, route changes, forwarded provider events: to the customers' webhook endpoints, in event order.
    .SubscribeToEvents(new WebhookPublisher());
if (!roles.Projections) builder.Services.KeepProjectionAgentsOffThisNode();

// Wolverine: handlers, the durable outbox/inbox on PostgreSQL, and HTTP endpoints.
builder.Host.UseWolverine(opts =>
{
    opts.UseRuntimeCompilation();
    opts.Policies.AutoApplyTransactions();
    opts.Policies.UseDurableLocalQueues();
    opts.UseClusterSettings(builder.Configuration);
    opts.UseSharedWorkQueues(builder.Configuration, roles);
    opts.EnableRelayOfUserName = true;
    opts.RelayAuditChannel();
    // Retries are scheduled messages; look for due ones every second.
    opts.Durability.ScheduledJobPollingTime = TimeSpan.FromSeconds(1);
    // Idempotency-Key: the first response is kept for 24 hours and replayed for the same request.
    opts.Durability.EnableDeduplicatedResponses = true;
    opts.Durability.DeduplicationWindow = TimeSpan.FromHours(24);
    opts.AddDispatchResilience(builder.Configuration, roles);
    opts.AddWebhookDelivery(builder.Configuration);
});
builder.Services.CritterStackDefaults(defaults =>
{
    // Production loads the handler code that 'codegen write' put in the build, compiling only
    // what is missing. Every other environment (Development, Testing) compiles in memory and
    // never reads or writes Internal/Generated.
    defaults.Production.GeneratedCodeMode = builder.Environment.IsProduction() ? TypeLoadMode.Auto : TypeLoadMode.Dynamic;
    defaults.Development.GeneratedCodeMode = TypeLoadMode.Dynamic;
});
builder.Services.AddWolverineHttp();

builder.Services.ConfigureSystemTextJsonForWolverineOrMinimalApi(json =>
{
    json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
    // Readers nest stored bodies a few levels deeper than the 32 the input guard accepts (InputGuard).
    json.SerializerOptions.MaxDepth = 64;
    json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    // Numbers are JSON numbers (the web default also reads "5" as 5): one type per field in the contract.
    json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
});
builder.Services.AddExceptionHandler<InboundDuplicates>();
builder.Services.AddExceptionHandler<ConcurrencyConflicts>();
builder.Services.AddExceptionHandler<DatabaseUnavailable>();
builder.Services.AddExceptionHandler<ClientFaults>();
builder.Services.AddApiProblemDetails();
builder.Services.AddApiKeyAccess();
builder.Services.AddCredentialRateLimits();
builder.Services.AddCrossOrigin(builder.Configuration);
builder.Services.AddRaffsSyncHealth();
builder.Services.AddOpenApi(options =>
{
    // 3.0 rather than 3.1: the client generators in use (NSwag among them) read it without loss.
    options.OpenApiVersion = Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_0;
    options.AddDocumentTransformer<ContractDocument>();
    options.AddOperationTransformer<ResourceTags>();
    options.AddOperationTransformer<OperationContract>();
    options.AddSchemaTransformer<RegistrySchemas>();
    options.AddDocumentTransformer<RegistrySchemas>();
    options.AddSchemaTransformer<BoundedSchemas>();
    options.AddDocumentTransformer<PlainReferences>();
});
builder.Services.AddProviderHttpClient();
builder.Services.AddWebhookHttpClient();
builder.Services.AddSandboxNotifier();
builder.Services.AddSingleton<ProviderGateway>();
builder.Services.AddSingleton<SelfAddress>();
builder.Services.AddSingleton<ProviderRequestBuilder>();
builder.Services.AddSingleton<SecretVault>();
SecretsCheck.AddTo(builder.Services);
builder.Services.AddSingleton<OAuthTokens>();
builder.Services.AddMemoryCache();
builder.Services.AddTransient<BuiltInRegistry>();
if (roles.Api) builder.Services.AddRaffsSyncConsole();
if (builder.Environment.IsDevelopment() && roles.Api) builder.Services.AddHostedService<DevelopmentDemoKey>();

var app = builder.Build();

app.UseRequestId();
app.UseCors();
app.UseIdempotencyReplayHeader();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseBodySizeLimit(BodySizeLimit.MaxBytes);
app.UseAuthentication();
app.UseRateLimiter();
app.UseRateLimitHeaders();
app.UseAuthorization();
if (roles.Api)
{
    app.UseConsoleGate();
    app.UseAntiforgery();
    app.UseConsoleFormCheck();
}
app.UseInputGuard();

app.MapRaffsSyncHealth();
if (roles.Api)
{
    app.MapOpenApi("/openapi/{documentName}.json");
    // The page's script and styles are served from the package; only its default fonts would come from Scalar's CDN.
    app.MapScalarApiReference("/docs", options => options
        .WithOpenApiRoutePattern("/openapi/{documentName}.json")
        .DisableDefaultFonts());
    app.MapSandboxProvider();
    app.MapRaffsSyncConsole();
    app.MapWolverineEndpoints(opts =>
    {
        opts.AddPolicy<RequestIdCorrelationPolicy>();
        opts.AddParameterHandlingStrategy<CallerParameter>();
    });
}

return await app.RunCommandsQuietly(args);

public partial class Program;
