using System.Xml;
using RaffsSync.Api.Infrastructure.RateLimits;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Limits;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Dispatches;

/// <summary>What an attempt may do about its provider call now: call (holding a slot, when slots are counted) or wait this long.</summary>
public sealed record CallPermit(CallSlot? Slot, TimeSpan? WaitFor)
{
    public static readonly CallPermit Granted = new(null, null);
    public bool Allowed => WaitFor is null;
}

/// <summary>
/// The limits on calls to providers, held across every node by <see cref="ClusterLimits"/> on the database's clock:
/// <list type="bullet">
/// <item>a route's <c>rate_limit</c> (<c>requests</c> per <c>per</c>), per provider credential: the dispatch's connection
/// when it has one, else the provider's credential of the dispatch's environment. Calls are spaced evenly
/// (<see cref="Gcra.Spaced"/>), so no span of <c>per</c> holds more than <c>requests</c> of them, whichever node makes them;</item>
/// <item><c>RaffsSync:Execution:MaxConcurrentCallsPerProvider</c> calls in flight per provider, all nodes together (default 0:
/// not counted; each node's own <c>MaxCallsPerProvider</c> still applies). A slot is a lease that expires after the
/// attempt's longest possible run plus <see cref="LeaseMargin"/>, so a node killed mid-call does not keep it.</item>
/// </list>
/// Fail closed: without the database nothing is called (the executor cannot run without it anyway: the attempt's claim is a commit).
/// </summary>
public sealed class ProviderCallLimits(ClusterLimits limits, IConfiguration configuration)
{
    public const string MaxConcurrentCallsKey = "RaffsSync:Execution:MaxConcurrentCallsPerProvider";
    public static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    /// <summary>How long an attempt that found every slot taken waits before it asks again (plus up to as much at random).</summary>
    public static readonly TimeSpan SlotWait = TimeSpan.FromMilliseconds(500);

    private readonly int _maxConcurrentCalls = Math.Max(0, configuration.GetValue(MaxConcurrentCallsKey, 0));

    /// <summary>A slot, then a permit of the route's rate: an attempt refused either holds neither.</summary>
    public async Task<CallPermit> AcquireAsync(Dispatch dispatch, RouteDefinition route, CancellationToken cancellation)
    {
        CallSlot? slot = null;
        if (_maxConcurrentCalls > 0)
        {
            slot = await limits.AcquireSlotAsync(dispatch.Provider, _maxConcurrentCalls, LongestRun(route) + LeaseMargin, cancellation);
            if (slot is null) return new CallPermit(null, SlotWait + SlotWait * Random.Shared.NextDouble());
        }
        if (await TakeRateAsync(dispatch, dispatch.RouteKey, route, cancellation) is { } wait)
        {
            if (slot is not null) await limits.ReleaseSlotAsync(slot, cancellation);
            return new CallPermit(null, wait);
        }
        return slot is null ? CallPermit.Granted : new CallPermit(slot, null);
    }

    public Task ReleaseAsync(CallPermit permit) =>
        permit.Slot is { } slot ? limits.ReleaseSlotAsync(slot, CancellationToken.None) : Task.CompletedTask;

    /// <summary>
    /// For the calls an attempt makes once it has been claimed (the next page, a lookup): they cannot be put off to a later
    /// message, so they wait here for the route's rate.
    /// </summary>
    public async Task WaitForRateAsync(Dispatch dispatch, string routeKey, RouteDefinition route, CancellationToken cancellation)
    {
        while (await TakeRateAsync(dispatch, routeKey, route, cancellation) is { } wait)
            await Task.Delay(wait, cancellation);
    }

    /// <summary>Null when the call may go now; else how long to wait, with a little at random so waiters do not all come back at once.</summary>
    private async Task<TimeSpan?> TakeRateAsync(Dispatch dispatch, string routeKey, RouteDefinition route, CancellationToken cancellation)
    {
        if (route.RateLimit is not { } rate) return null;
        var limit = Gcra.Spaced(rate.Requests, XmlConvert.ToTimeSpan(rate.Per));
        var check = await limits.TakeAsync(RateKey(dispatch, routeKey), limit, null, cancellation);
        if (check.Allowed) return null;
        var spread = limit.Period < TimeSpan.FromSeconds(1) ? limit.Period : TimeSpan.FromSeconds(1);
        return check.RetryAfter + spread * Random.Shared.NextDouble();
    }

    /// <summary>The credential the calls are made with: the location's connection, or the provider's own for the environment.</summary>
    public static string RateKey(Dispatch dispatch, string routeKey) =>
        $"route:{dispatch.Provider}/{routeKey}:" + (dispatch.ConnectionId is { } connection ? $"connection:{connection}" : $"environment:{dispatch.Environment}");

    /// <summary>Every page at its timeout, and a lookup after a timed-out write.</summary>
    private static TimeSpan LongestRun(RouteDefinition route) =>
        route.EffectiveTimeout * ((route.Pagination?.MaxPages ?? 1) + (route.Reconcile is null ? 0 : 1));
}
