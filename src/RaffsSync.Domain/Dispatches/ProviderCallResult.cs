namespace RaffsSync.Domain.Dispatches;

/// <summary>What happened on the wire when a rendered request was sent.</summary>
public abstract record ProviderCallResult(long LatencyMs)
{
    public sealed record Responded(int StatusCode, string Body, bool BodyTruncated, string BodySha256, long LatencyMs)
        : ProviderCallResult(LatencyMs);

    public sealed record Unreachable(string Error, long LatencyMs) : ProviderCallResult(LatencyMs);
}
