using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RaffsSync.Api.Infrastructure.Cluster;
using Wolverine.Runtime;

namespace RaffsSync.Api.Health;

public sealed class DatabaseHealthCheck(IDocumentStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellation = default)
    {
        try
        {
            await using var session = store.QuerySession();
            await session.QueryAsync<int>("select 1", cancellation);
            return HealthCheckResult.Healthy("database reachable");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("database unreachable", e);
        }
    }
}

public static class HealthEndpoints
{
    public static IServiceCollection AddRaffsSyncHealth(this IServiceCollection services)
    {
        services.AddSingleton<ProjectionLagGauge>();
        services.AddHostedService<ProjectionLagMonitor>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<ProjectionLagHealthCheck>("projections", tags: ["ready"]);
        return services;
    }

    public static IEndpointRouteBuilder MapRaffsSyncHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new()
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteDetailsAsync
        }).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// <c>{"status": ..., "node": {"id", "number", "roles", "leader", "agents"}, "checks": {"database": {...}, "projections": {"status",
    /// "description", "data": {shard: lag}}}}</c>.
    /// The agents are what Wolverine runs on this node: the async shards (<c>event-subscriptions://...</c>) and the database's
    /// durability agent (<c>wolverinedb://...</c>); <c>leader</c> says whether this node assigns them.
    /// </summary>
    private static Task WriteDetailsAsync(HttpContext context, HealthReport report)
    {
        var runtime = context.RequestServices.GetRequiredService<IWolverineRuntime>();
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            node = new
            {
                id = runtime.Options.UniqueNodeId,
                number = runtime.Options.Durability.AssignedNodeNumber,
                roles = context.RequestServices.GetRequiredService<NodeRoles>().Names,
                leader = runtime is WolverineRuntime { } concrete && concrete.IsLeader(),
                agents = runtime.Agents.AllRunningAgentUris().Select(uri => uri.ToString()).Order().ToList()
            },
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data
            })
        });
    }
}
