using Wolverine;

namespace RaffsSync.Api.Infrastructure.Cluster;

/// <summary>
/// Nodes on one database form a cluster through Wolverine's durability agent (<see cref="DurabilityMode.Balanced"/>):
/// each node writes a heartbeat every <c>RaffsSync:Cluster:HeartbeatInterval</c>; the leader (elected with a PostgreSQL
/// advisory lock, so the connections must be session-pooled, never PgBouncer's transaction mode) checks the
/// assignments every <c>AssignmentInterval</c> and treats a node silent for <c>StaleNodeAfter</c> as dead: its agents
/// move and its unfinished messages are released to the others. A node that stops cleanly hands over at once.
/// </summary>
public static class ClusterSettings
{
    public static void UseClusterSettings(this WolverineOptions opts, IConfiguration configuration)
    {
        opts.Durability.Mode = DurabilityMode.Balanced;
        opts.Durability.HealthCheckPollingTime = configuration.GetValue("RaffsSync:Cluster:HeartbeatInterval", TimeSpan.FromSeconds(5));
        opts.Durability.CheckAssignmentPeriod = configuration.GetValue("RaffsSync:Cluster:AssignmentInterval", TimeSpan.FromSeconds(15));
        opts.Durability.StaleNodeTimeout = configuration.GetValue("RaffsSync:Cluster:StaleNodeAfter", TimeSpan.FromSeconds(30));
        opts.Durability.NodeReassignmentPollingTime = configuration.GetValue("RaffsSync:Cluster:RecoveryInterval", TimeSpan.FromSeconds(5));
    }
}
