using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Reports;

namespace RaffsSync.Domain.Tests;

public sealed class ReportTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 0)]
    [InlineData(6, 1)]
    [InlineData(60_000, 20)]
    [InlineData(60_001, 21)]
    public void latencies_land_in_their_bucket(long ms, int bucket) => Assert.Equal(bucket, LatencyHistogram.BucketOf(ms));

    [Fact]
    public void percentiles_fall_in_the_bucket_of_the_exact_value()
    {
        var latencies = new long[] { 3, 8, 8, 40, 90, 120, 120, 180, 450, 2_500 };
        var histogram = latencies.Aggregate(LatencyHistogram.Empty(), (h, ms) => LatencyHistogram.Add(h, ms));

        foreach (var q in new[] { 0.5, 0.9, 0.95, 0.99, 1.0 })
        {
            var exact = latencies.Order().ElementAt((int)Math.Ceiling(q * latencies.Length) - 1);
            var reported = LatencyHistogram.Percentile(histogram, q)!.Value;
            Assert.Equal(LatencyHistogram.BucketOf(exact), LatencyHistogram.BucketOf((long)Math.Ceiling(reported)));
        }
        Assert.Null(LatencyHistogram.Percentile(LatencyHistogram.Empty(), 0.5));
    }

    [Fact]
    public void histograms_of_different_days_add_up()
    {
        var a = LatencyHistogram.Add(LatencyHistogram.Empty(), 7);
        var b = LatencyHistogram.Add(LatencyHistogram.Add(LatencyHistogram.Empty(), 7), 700);

        var merged = LatencyHistogram.Merge([a, b]);

        Assert.Equal(3, merged.Sum());
        Assert.Equal(2, merged[LatencyHistogram.BucketOf(7)]);
        Assert.Equal(1, a.Sum()); // adding never changes the histogram it started from
    }

    private static DispatchDay Day(string tenant, string route, int day, int succeeded, int failed) =>
        DispatchDay.Start(tenant, "pos", route, new DateOnly(2026, 11, day)) with
        {
            Requested = succeeded + failed, Succeeded = succeeded, Failed = failed, Attempts = succeeded + failed
        };

    [Fact]
    public void days_are_added_up_by_the_grouping_asked_for()
    {
        DispatchDay[] days = [Day("29", "orders", 1, 3, 1), Day("29", "orders", 2, 1, 0), Day("30", "stock", 1, 0, 2)];

        var byRoute = DispatchReport.Summarize(days, ["route_key"]);
        var byNothing = Assert.Single(DispatchReport.Summarize(days, []));

        Assert.Equal(["orders", "stock"], byRoute.Select(r => r.Group["route_key"]));
        Assert.Equal(5, byRoute[0].Requested);
        Assert.Equal(0.8, byRoute[0].SuccessRate);
        Assert.Equal(0.0, byRoute[1].SuccessRate);
        Assert.Equal(7, byNothing.Requested);
        Assert.Equal(3, DispatchReport.Summarize(days, ["tenant_id", "day"]).Count);
    }

    [Fact]
    public void a_day_counts_each_outcome_event()
    {
        var id = Guid.NewGuid();
        var day = DispatchDay.Start("29", "pos", "orders", new DateOnly(2026, 11, 1))
            .After(new ProviderResponded(id, 1, 503, 40, "", false, "", DateTimeOffset.UnixEpoch))
            .After(new DispatchRetryScheduled(id, 1, DateTimeOffset.UnixEpoch, "503", DateTimeOffset.UnixEpoch))
            .After(new DispatchDeadLettered(id, 2, "exhausted", DateTimeOffset.UnixEpoch))
            .After(new DispatchReplayRequested(id, 2, "current", "fixed", DateTimeOffset.UnixEpoch))
            .After(new DispatchSucceeded(id, 3, DateTimeOffset.UnixEpoch));

        Assert.Equal((1, 1, 1, 1), (day.Retries, day.DeadLettered, day.Replays, day.Succeeded));
        Assert.Equal(1, day.LatencyBuckets[LatencyHistogram.BucketOf(40)]);
        Assert.Equal("29|pos|orders|2026-11-01", day.Id);
    }
}
