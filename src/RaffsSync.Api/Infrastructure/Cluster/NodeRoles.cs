namespace RaffsSync.Api.Infrastructure.Cluster;

/// <summary>
/// What this node does, from <c>RaffsSync:Roles</c> (env <c>RaffsSync__Roles</c>): a comma-separated set of
/// <c>api</c> (the HTTP API), <c>worker</c> (provider calls, webhook deliveries, replay and recovery jobs, the
/// reconciler) and <c>projections</c> (the async daemon's projections and subscriptions, the webhook fan-out
/// among them). Unset means all three. Health endpoints are served whatever the roles.
/// </summary>
public sealed record NodeRoles(bool Api, bool Worker, bool Projections)
{
    public const string ConfigurationKey = "RaffsSync:Roles";
    public static readonly NodeRoles All = new(true, true, true);

    public static NodeRoles From(IConfiguration configuration) => Parse(configuration[ConfigurationKey]);

    public static NodeRoles Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return All;
        var names = value.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant()).ToHashSet();
        var unknown = names.Except(["api", "worker", "projections"]).ToList();
        if (unknown.Count > 0 || names.Count == 0)
            throw new InvalidOperationException(
                $"{ConfigurationKey} '{value}' names unknown roles ({string.Join(", ", unknown)}): use any of api, worker, projections, comma-separated, or leave it unset for all three.");
        return new(names.Contains("api"), names.Contains("worker"), names.Contains("projections"));
    }

    public IReadOnlyList<string> Names =>
        new[] { (Api, "api"), (Worker, "worker"), (Projections, "projections") }.Where(r => r.Item1).Select(r => r.Item2).ToList();

    public override string ToString() => string.Join(",", Names);
}
