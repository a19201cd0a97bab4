namespace RaffsSync.Domain.Webhooks;

/// <summary>
/// How an endpoint has been answering, for the rule that disables one that keeps failing: it counts as failing only
/// once <see cref="HealthRule.FailuresToStart"/> attempts fail within a day (one bad minute does not start the clock),
/// from the first of those; any success forgives everything. Stored per endpoint, updated with each attempt.
/// </summary>
public sealed record EndpointHealth
{
    public Guid Id { get; init; }
    /// <summary>When the endpoint started failing (null: it is not).</summary>
    public DateTimeOffset? FailingSince { get; init; }
    /// <summary>Failed attempts of the last day, oldest first, while it is not yet counted as failing.</summary>
    public IReadOnlyList<DateTimeOffset> RecentFailures { get; init; } = [];
    public DateTimeOffset? LastSuccessAt { get; init; }

    public EndpointHealth Succeeded(DateTimeOffset at) => this with { FailingSince = null, RecentFailures = [], LastSuccessAt = at };

    public EndpointHealth Failed(DateTimeOffset at, HealthRule rule)
    {
        if (FailingSince is not null) return this;
        var recent = RecentFailures.Where(f => at - f < rule.Window).Append(at).ToList();
        return recent.Count >= rule.FailuresToStart
            ? this with { FailingSince = recent[0], RecentFailures = [] }
            : this with { RecentFailures = recent };
    }

    /// <summary>True when the endpoint has been failing, every attempt, for at least the rule's time.</summary>
    public bool ShouldDisable(DateTimeOffset now, HealthRule rule) => FailingSince is { } since && now - since >= rule.DisableAfter;
}

/// <param name="DisableAfter">How long an endpoint may fail every attempt before it is disabled (default 5 days).</param>
/// <param name="FailuresToStart">Failures within <see cref="Window"/> that start the clock (default 3 in 24 hours).</param>
public sealed record HealthRule(TimeSpan DisableAfter, int FailuresToStart, TimeSpan Window)
{
    public static readonly HealthRule Default = new(TimeSpan.FromDays(5), 3, TimeSpan.FromHours(24));
}
