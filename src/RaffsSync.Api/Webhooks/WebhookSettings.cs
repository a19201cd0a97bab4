using System.Xml;
using RaffsSync.Domain.Webhooks;

namespace RaffsSync.Api.Webhooks;

/// <summary>
/// <c>RaffsSync:Webhooks</c>: the retry schedule (<c>RetrySchedule</c>, comma-separated ISO 8601 durations, the waits after
/// attempts 1, 2, ...), the longest <c>Retry-After</c> honoured (<c>RetryAfterCap</c>), each attempt's deadline
/// (<c>AttemptTimeout</c>, default 15 s), the endpoint health rule (<c>DisableAfter</c> P5D, <c>FailuresToStart</c> 3 within
/// <c>FailureWindow</c> PT24H), the message size cap (<c>MaxMessageBytes</c>, 256 KB) and how long a rotated secret still
/// signs beside the new one (<c>SecretOverlap</c>, PT24H). Where endpoints may point is <see cref="WebhookEgress"/>'s.
/// </summary>
public sealed record WebhookSettings(
    WebhookRetrySchedule Schedule,
    TimeSpan AttemptTimeout,
    HealthRule Health,
    int MaxMessageBytes,
    TimeSpan SecretOverlap)
{
    public static readonly TimeSpan DefaultSecretOverlap = TimeSpan.FromHours(24);

    public const string Section = "RaffsSync:Webhooks";

    public static WebhookSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var schedule = section["RetrySchedule"] is { Length: > 0 } delays
            ? delays.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Duration).ToList()
            : WebhookRetrySchedule.Default.Delays;
        return new(
            new WebhookRetrySchedule(schedule, DurationOr(section["RetryAfterCap"], WebhookRetrySchedule.Default.RetryAfterCap)),
            DurationOr(section["AttemptTimeout"], TimeSpan.FromSeconds(15)),
            new HealthRule(
                DurationOr(section["DisableAfter"], HealthRule.Default.DisableAfter),
                section.GetValue("FailuresToStart", HealthRule.Default.FailuresToStart),
                DurationOr(section["FailureWindow"], HealthRule.Default.Window)),
            section.GetValue("MaxMessageBytes", WebhookMessage.DefaultMaxBytes),
            DurationOr(section["SecretOverlap"], DefaultSecretOverlap));
    }

    private static TimeSpan DurationOr(string? value, TimeSpan fallback) => string.IsNullOrWhiteSpace(value) ? fallback : Duration(value);

    private static TimeSpan Duration(string value)
    {
        try
        {
            return XmlConvert.ToTimeSpan(value);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"{Section}: '{value}' is not an ISO 8601 duration such as PT5S or PT2H.", e);
        }
    }
}
