using RaffsSync.Api.Dispatches;
using RaffsSync.Api.WebConsole;

namespace RaffsSync.Api.Tests.Console;

/// <summary>The pure parts of the console's views: the version diff, the chart geometry and the grouping of open failures.</summary>
public sealed class ConsoleViewLogicTests
{
    [Fact]
    public void a_changed_line_sits_beside_its_replacement_and_common_lines_stay_aligned()
    {
        var rows = LineDiff.Compare("{\n  \"path\": \"/orders\",\n  \"method\": \"POST\"\n}", "{\n  \"path\": \"/orders-v2\",\n  \"method\": \"POST\",\n  \"timeout\": \"PT5S\"\n}");

        Assert.Equal(
        [
            new DiffRow("{", "{"),
            new DiffRow("  \"path\": \"/orders\",", "  \"path\": \"/orders-v2\","),
            new DiffRow("  \"method\": \"POST\"", "  \"method\": \"POST\","),
            new DiffRow(null, "  \"timeout\": \"PT5S\""),
            new DiffRow("}", "}")
        ], rows);
    }

    [Fact]
    public void identical_texts_compare_as_all_same_and_lines_only_on_one_side_are_gaps_on_the_other()
    {
        Assert.All(LineDiff.Compare("a\nb", "a\nb"), row => Assert.True(row.Same));
        Assert.Equal([new DiffRow("a", "a"), new DiffRow("b", null), new DiffRow("c", "c")], LineDiff.Compare("a\nb\nc", "a\nc"));
        Assert.Equal([new DiffRow(null, "x"), new DiffRow("a", "a")], LineDiff.Compare("a", "x\na"));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0.4, 0.5)]
    [InlineData(7, 10)]
    [InlineData(120, 200)]
    [InlineData(200, 200)]
    [InlineData(4_900, 5_000)]
    [InlineData(5_001, 10_000)]
    public void the_value_axis_tops_out_at_a_round_number_at_or_above_the_largest_value(double largest, double top) =>
        Assert.Equal(top, LineChart.NiceMax(largest), 6);

    [Fact]
    public void a_chart_draws_runs_of_days_with_values_and_leaves_gaps_for_days_without()
    {
        var days = Enumerable.Range(0, 5).Select(i => new DateOnly(2026, 12, 1).AddDays(i)).ToList();
        var series = new ChartSeries("p50", "s-p50", [10, 20, null, 40, null]);
        var chart = new LineChart(days, [series], 40, " ms");

        var runs = chart.Runs(series).ToList();

        Assert.Equal(2, runs.Count);
        Assert.Equal(2, runs[0].Split(' ').Length);
        Assert.Single(runs[1].Split(' '));
        // Day 0 at the left edge, day 4 at the right; the top value at the top of the plot, 0 at its bottom.
        Assert.Equal(LineChart.Left, chart.X(0));
        Assert.Equal(LineChart.Width - LineChart.Right, chart.X(4));
        Assert.Equal(LineChart.Top, chart.Y(40));
        Assert.Equal(LineChart.Height - LineChart.Bottom, chart.Y(0));
        Assert.Equal([0, 2, 4], chart.LabelledDays);
    }

    [Fact]
    public void open_failures_group_by_provider_route_and_failure_type_with_counts_and_first_and_last_seen()
    {
        var at = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        DispatchView Dispatch(string route, string status, string? failure, int minutes) => new(Guid.NewGuid(), "t1", "pos", route, 1, "sandbox",
            status, 1, 400, null, null, failure, failure is null ? null : "why", at, at.AddMinutes(minutes), at.AddMinutes(minutes));

        var issues = FailureIssues.Group(
        [
            Dispatch("orders", "failed", "client_error", 5),
            Dispatch("orders", "dead_lettered", "client_error", 1),
            Dispatch("orders", "failed", "client_error", 9),
            Dispatch("orders", "failed", "server_error", 2),
            Dispatch("stock", "outcome_unknown", null, 3),
            Dispatch("orders", "succeeded", null, 4),
            Dispatch("orders", "retry_scheduled", "server_error", 4)
        ]);

        Assert.Equal(3, issues.Count);
        var first = issues[0];
        Assert.Equal(("orders", "client_error", 3), (first.RouteKey, first.FailureType, first.Count));
        Assert.Equal(at.AddMinutes(1), first.FirstSeen);
        Assert.Equal(at.AddMinutes(9), first.LastSeen);
        Assert.Equal(["dead_lettered", "failed"], first.Statuses);
        Assert.Contains(issues, i => i is { RouteKey: "orders", FailureType: "server_error", Count: 1 });
        Assert.Contains(issues, i => i is { RouteKey: "stock", FailureType: "outcome_unknown", Count: 1 });
    }
}
