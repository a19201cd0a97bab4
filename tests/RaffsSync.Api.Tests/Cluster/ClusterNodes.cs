using System.Text.Json;
using Alba;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Cluster;

/// <summary>What a node says about itself on /health/ready: its number, roles and the Wolverine agents it runs.</summary>
public sealed record NodeReport(int Number, IReadOnlyList<string> Roles, bool Leads, IReadOnlyList<string> Agents)
{
    public override string ToString() => $"node {Number} [{string.Join(",", Roles)}]{(Leads ? " leader" : "")}: {string.Join(" ", Agents)}";
    public IEnumerable<string> Shards => Agents.Where(a => a.StartsWith("event-subscriptions://"));
}

public static class ClusterNodes
{
    public static async Task<NodeReport> ReportAsync(this IAlbaHost node)
    {
        var result = await node.Scenario(s =>
        {
            s.Get.Url("/health/ready");
            s.IgnoreStatusCode();
        });
        var body = await result.ReadAsJsonAsync<JsonElement>();
        var self = body.GetProperty("node");
        return new NodeReport(self.GetProperty("number").GetInt32(),
            self.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToList(),
            self.GetProperty("leader").GetBoolean(),
            self.GetProperty("agents").EnumerateArray().Select(a => a.GetString()!).ToList());
    }

    /// <summary>The async shards the store has (audit log, reports, webhook publisher), as the readiness check names them.</summary>
    public static async Task<int> ShardCountAsync(this IAlbaHost node)
    {
        var result = await node.Scenario(s =>
        {
            s.Get.Url("/health/ready");
            s.IgnoreStatusCode();
        });
        var body = await result.ReadAsJsonAsync<JsonElement>();
        var count = body.GetProperty("checks").GetProperty("projections").GetProperty("data").EnumerateObject().Count();
        Assert.True(count > 0, body.GetRawText());
        return count;
    }

    /// <summary>Waits until every shard runs on exactly one node and one node leads; returns the reports.</summary>
    public static async Task<IReadOnlyList<NodeReport>> SettledAsync(IReadOnlyList<IAlbaHost> nodes, int shards, TimeSpan timeout)
    {
        IReadOnlyList<NodeReport> reports = [];
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                reports = await Task.WhenAll(nodes.Select(n => n.ReportAsync()));
                var all = reports.SelectMany(r => r.Shards).ToList();
                return all.Count == shards && all.Distinct().Count() == shards && reports.Count(r => r.Leads) == 1;
            }, $"{shards} shards each on one node and one leader", timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Last seen: {string.Join("; ", reports)}", e);
        }
        return reports;
    }

    public static int ExecutedDispatches(this CapturedLogs logs) =>
        logs.Lines.Count(line => line.Contains("Successfully processed message") && line.Contains("ExecuteDispatch"));
}
