namespace RaffsSync.Domain.Limits;

/// <summary>
/// The generic cell rate algorithm: at most <see cref="Limit"/> requests per <see cref="Period"/>, of which up to
/// <see cref="Burst"/> may come at once. Its whole state is one time, the theoretical arrival time (TAT): when the
/// bucket would be empty again. A request is let through when <c>max(TAT, now) - now</c> is at most the tolerance
/// (<c>(Burst - 1)</c> emission intervals) and then moves the TAT one emission interval (<c>Period / Limit</c>) on.
/// PostgreSQL runs <see cref="Decide"/> in one statement for limits across nodes (ClusterLimits); this is the same rule
/// for a node on its own, and what the answer's remaining count and waits are read from.
/// </summary>
public readonly record struct Gcra
{
    public Gcra(int limit, TimeSpan period, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        Limit = limit;
        Period = period;
        Burst = Math.Min(burst, limit);
        // Whole microseconds: PostgreSQL keeps no finer time, and both sides must count the same interval.
        EmissionInterval = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMicrosecond,
            period.Ticks / limit / TimeSpan.TicksPerMicrosecond * TimeSpan.TicksPerMicrosecond));
    }

    /// <summary>A window limit: all of <paramref name="limit"/> may be used at once, then they come back one every <c>period / limit</c>.</summary>
    public static Gcra Window(int limit, TimeSpan period) => new(limit, period, limit);

    /// <summary>Evenly spaced, no burst: never more than <paramref name="limit"/> in any span of <paramref name="period"/>.</summary>
    public static Gcra Spaced(int limit, TimeSpan period) => new(limit, period, 1);

    public int Limit { get; }
    public TimeSpan Period { get; }
    public int Burst { get; }
    public TimeSpan EmissionInterval { get; }
    public TimeSpan Tolerance => EmissionInterval * (Burst - 1);

    /// <summary>Whether a request at <paramref name="now"/> passes, and the TAT it leaves (unchanged when refused).</summary>
    public (bool Allowed, DateTimeOffset Tat) Decide(DateTimeOffset? tat, DateTimeOffset now)
    {
        var start = tat is { } t && t > now ? t : now;
        return start - now <= Tolerance ? (true, start + EmissionInterval) : (false, tat ?? now);
    }

    /// <summary>What is left at <paramref name="now"/> when the TAT is <paramref name="tat"/>: requests that would pass right now.</summary>
    public int Remaining(DateTimeOffset tat, DateTimeOffset now)
    {
        var free = EmissionInterval * Burst - Used(tat, now);
        return free <= TimeSpan.Zero ? 0 : (int)Math.Min(Burst, free.Ticks / EmissionInterval.Ticks);
    }

    /// <summary>How long until one more request would pass (the refused one's Retry-After, the accepted one's reset).</summary>
    public TimeSpan UntilNext(DateTimeOffset tat, DateTimeOffset now)
    {
        var remaining = Remaining(tat, now);
        if (remaining >= Burst) return TimeSpan.Zero;
        var wait = Used(tat, now) - EmissionInterval * (Burst - remaining - 1);
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>How long until a request would pass again (zero when one would now).</summary>
    public TimeSpan UntilAllowed(DateTimeOffset tat, DateTimeOffset now)
    {
        var wait = Used(tat, now) - Tolerance;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    private static TimeSpan Used(DateTimeOffset tat, DateTimeOffset now) => tat > now ? tat - now : TimeSpan.Zero;
}
