namespace RaffsSync.Domain.Dispatches;

/// <summary>What happened on the wire when a rendered request was sent.</summary>
public abstract record ProviderCallResult(long LatencyMs)
{
    /// <param name="RetryAfter">The provider's <c>Retry-After</c>, as a delay from when the answer arrived.</param>
    /// <param name="NextLink">The <c>Link</c> header's <c>rel="next"</c> URL, for routes paged by link header.</param>
    public sealed record Responded(int StatusCode, string Body, bool BodyTruncated, string BodySha256, long LatencyMs,
        TimeSpan? RetryAfter = null, string? NextLink = null) : ProviderCallResult(LatencyMs);

    /// <param name="TimedOut">The request may have reached the provider (no answer in time), unlike a refused connection.</param>
    /// <param name="EgressDenied">The address is one provider calls may not reach: nothing was sent, and retrying cannot help.</param>
    public sealed record Unreachable(string Error, long LatencyMs, bool TimedOut = false, bool EgressDenied = false) : ProviderCallResult(LatencyMs);
}
