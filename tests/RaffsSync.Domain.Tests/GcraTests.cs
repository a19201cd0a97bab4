using RaffsSync.Domain.Limits;

namespace RaffsSync.Domain.Tests;

public sealed class GcraTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void a_window_limit_lets_the_whole_limit_through_at_once_then_refuses_until_one_interval_has_passed()
    {
        var limit = Gcra.Window(5, TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromMilliseconds(600), limit.EmissionInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(2400), limit.Tolerance);

        DateTimeOffset? tat = null;
        var remaining = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            var (allowed, next) = limit.Decide(tat, T0);
            Assert.True(allowed);
            tat = next;
            remaining.Add(limit.Remaining(next, T0));
        }
        Assert.Equal([4, 3, 2, 1, 0], remaining);

        var refused = limit.Decide(tat, T0);
        Assert.False(refused.Allowed);
        Assert.Equal(tat, refused.Tat);
        Assert.Equal(TimeSpan.FromMilliseconds(600), limit.UntilAllowed(tat!.Value, T0));
        Assert.Equal(TimeSpan.FromMilliseconds(600), limit.UntilNext(tat.Value, T0));

        Assert.False(limit.Decide(tat, T0.AddMilliseconds(599)).Allowed);
        Assert.True(limit.Decide(tat, T0.AddMilliseconds(600)).Allowed);
        Assert.Equal(5, limit.Remaining(tat.Value, T0.AddSeconds(3)));
        Assert.Equal(TimeSpan.Zero, limit.UntilNext(tat.Value, T0.AddSeconds(3)));
    }

    [Fact]
    public void the_reset_is_the_time_until_the_remaining_count_grows_by_one()
    {
        var limit = Gcra.Window(10, TimeSpan.FromSeconds(10));
        var (_, tat) = limit.Decide(null, T0);
        (_, tat) = limit.Decide(tat, T0);
        Assert.Equal(8, limit.Remaining(tat, T0));
        Assert.Equal(TimeSpan.FromSeconds(1), limit.UntilNext(tat, T0));
        Assert.Equal(9, limit.Remaining(tat, T0.AddSeconds(1)));
        Assert.Equal(TimeSpan.Zero, limit.UntilAllowed(tat, T0));
    }

    [Fact]
    public void spaced_calls_never_put_more_than_the_limit_in_any_span_of_the_period()
    {
        var limit = Gcra.Spaced(5, TimeSpan.FromSeconds(1));
        DateTimeOffset? tat = null;
        var passed = new List<DateTimeOffset>();
        // A caller trying every 10 ms for 5 s.
        for (var now = T0; now < T0.AddSeconds(5); now = now.AddMilliseconds(10))
        {
            var (allowed, next) = limit.Decide(tat, now);
            tat = next;
            if (allowed) passed.Add(now);
        }
        Assert.Equal(25, passed.Count);
        Assert.All(passed, start => Assert.True(passed.Count(p => p >= start && p < start.AddSeconds(1)) <= 5));
    }

    [Fact]
    public void the_emission_interval_is_whole_microseconds_so_postgresql_counts_the_same()
    {
        var limit = Gcra.Window(7, TimeSpan.FromMinutes(1));
        Assert.Equal(0, limit.EmissionInterval.Ticks % TimeSpan.TicksPerMicrosecond);
        Assert.True(limit.EmissionInterval * 7 <= TimeSpan.FromMinutes(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gcra.Window(0, TimeSpan.FromSeconds(1)));
    }
}
