namespace RaffsSync.Domain.Webhooks;

/// <summary>
/// When the next attempt of a message goes out. The first attempt is immediate; after attempt n fails, the wait is
/// <c>Delays[n-1]</c>, up to a tenth shorter or longer at random so retries to one endpoint spread out. A 429 or 503
/// with <c>Retry-After</c> waits at least that long, at most <see cref="RetryAfterCap"/>.
/// </summary>
public sealed record WebhookRetrySchedule(IReadOnlyList<TimeSpan> Delays, TimeSpan RetryAfterCap)
{
    public static readonly WebhookRetrySchedule Default = new(
        [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
         TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10)],
        TimeSpan.FromHours(10));

    /// <summary>Attempts in one run of the schedule, the first included.</summary>
    public int MaxAttempts => Delays.Count + 1;

    /// <param name="attemptInRun">The attempt that just failed, counted within the current run (1 for the first).</param>
    /// <param name="jitterSample">A number in [0, 1).</param>
    /// <returns>The wait before the next attempt, or null when the schedule is used up.</returns>
    public TimeSpan? After(int attemptInRun, double jitterSample, TimeSpan? retryAfter = null)
    {
        if (attemptInRun < 1 || attemptInRun > Delays.Count) return null;
        var delay = Delays[attemptInRun - 1] * (0.9 + 0.2 * jitterSample);
        if (retryAfter is { } asked && asked > delay) delay = asked < RetryAfterCap ? asked : RetryAfterCap;
        return delay;
    }
}
