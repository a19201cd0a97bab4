namespace RaffsSync.Domain.Reports;

/// <summary>
/// Provider latencies counted in fixed buckets. Histograms of different days, routes or locations
/// add up bucket by bucket, so any grouping of the daily reports still has percentiles.
/// </summary>
public static class LatencyHistogram
{
    /// <summary>Upper bounds (inclusive, milliseconds) of every bucket but the last, which is open.</summary>
    public static readonly IReadOnlyList<long> UpperBoundsMs =
        [5, 10, 25, 50, 75, 100, 150, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000, 20_000, 30_000, 60_000];

    public static int BucketCount => UpperBoundsMs.Count + 1;

    public static int BucketOf(long latencyMs)
    {
        for (var i = 0; i < UpperBoundsMs.Count; i++)
            if (latencyMs <= UpperBoundsMs[i]) return i;
        return UpperBoundsMs.Count;
    }

    public static long[] Empty() => new long[BucketCount];

    public static long[] Add(IReadOnlyList<long> buckets, long latencyMs)
    {
        var next = buckets.Count == BucketCount ? buckets.ToArray() : Empty();
        next[BucketOf(latencyMs)]++;
        return next;
    }

    public static long[] Merge(IEnumerable<IReadOnlyList<long>> histograms)
    {
        var total = Empty();
        foreach (var histogram in histograms)
            for (var i = 0; i < Math.Min(histogram.Count, total.Length); i++) total[i] += histogram[i];
        return total;
    }

    /// <summary>
    /// The q-quantile (0 &lt; q &lt;= 1) by nearest rank, interpolated linearly inside its bucket; null
    /// without samples. The true value always lies in the same bucket as the answer.
    /// </summary>
    public static double? Percentile(IReadOnlyList<long> buckets, double q)
    {
        var count = buckets.Sum();
        if (count == 0) return null;
        var rank = Math.Max(1, (long)Math.Ceiling(q * count));
        long before = 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            if (before + buckets[i] >= rank)
            {
                var lower = i == 0 ? 0 : UpperBoundsMs[i - 1];
                if (i >= UpperBoundsMs.Count) return lower;
                var upper = UpperBoundsMs[i];
                return Math.Round(lower + (upper - lower) * (double)(rank - before) / buckets[i], 1);
            }
            before += buckets[i];
        }
        return UpperBoundsMs[^1];
    }
}
