using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Marten;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Npgsql;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Infrastructure.Postgres;
using RaffsSync.Domain.Limits;

namespace RaffsSync.Api.Infrastructure.RateLimits;

/// <summary>
/// <c>RaffsSync:RateLimits</c>: per credential, a sliding window of <c>Limit</c> requests per <c>Window</c>
/// and a burst limit of <c>PerSecond</c>, set per caller class (<c>Customer</c>, <c>Partner</c>,
/// <c>Internal</c>; 0 means unlimited) and per customer under <c>Customers:{id}:Limit</c>. Customers and
/// partners get the seeds' 100 per minute; internal workers get 100,000 per minute and no burst limit
/// (a guard against a runaway loop, not a throttle). Requests to <c>/api/</c> without a valid credential
/// (token requests, wrong keys) are limited per client address as <c>Anonymous</c>, so secrets cannot be
/// guessed at speed; health, OpenAPI and docs are never limited.
/// Counted for the whole cluster in PostgreSQL (<see cref="CallerRateLimiter"/>): several nodes together allow one limit's worth.
/// </summary>
public sealed class RateLimitSettings
{
    public const string AnonymousClass = "anonymous";
    public const string InboundClass = "inbound";

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
    public ClassLimit Customer { get; set; } = new() { Limit = 100, PerSecond = 20 };
    public ClassLimit Partner { get; set; } = new() { Limit = 100, PerSecond = 20 };
    public ClassLimit Internal { get; set; } = new() { Limit = 100_000, PerSecond = 0 };
    public ClassLimit Anonymous { get; set; } = new() { Limit = 100, PerSecond = 20 };
    /// <summary>Provider pushes, per connection: a provider pushing for many locations from a few addresses is not one client.</summary>
    public ClassLimit Inbound { get; set; } = new() { Limit = 6_000, PerSecond = 200 };
    public Dictionary<string, CustomerLimit> Customers { get; set; } = new();

    public sealed class ClassLimit
    {
        public int Limit { get; set; }
        public int PerSecond { get; set; }
    }

    public sealed class CustomerLimit
    {
        public int Limit { get; set; }
    }

    public ClassLimit For(string? callerClass) => callerClass switch
    {
        "internal" => Internal,
        "partner" => Partner,
        AnonymousClass => Anonymous,
        InboundClass => Inbound,
        _ => Customer
    };

    public int WindowLimitFor(string? callerClass, string? customerId) =>
        customerId is not null && Customers.TryGetValue(customerId, out var custom) && custom.Limit > 0 ? custom.Limit : For(callerClass).Limit;
}

/// <summary>
/// The limits every request to <c>/api/</c> passes, plugged into ASP.NET Core's rate limiter as its global limiter,
/// counted across all nodes: one row per credential (or client address, or inbound connection) in PostgreSQL, holding a
/// <see cref="Gcra"/> for the window limit (<c>Limit</c> per <c>Window</c>, all usable at once, coming back one every
/// <c>Window / Limit</c>) and one for <c>PerSecond</c>, both decided in one statement on the database's clock
/// (<see cref="ClusterLimits.TakeAsync"/>). A request refused by either limit is charged to neither.
/// <para>
/// <b>When PostgreSQL is unreachable</b> the node counts the same limits in its own memory for
/// <see cref="FallbackPeriod"/> before asking the database again: a node never lets through more than one limit's
/// worth per credential, so the cluster lets through at most one per node. Not fail-open (unlimited while the database
/// is away: an attacker's guesses at keys would be free exactly when nobody can see them) and not fail-closed (429 for
/// everyone: the requests that need no database, answered from caches or refused at the door, would be refused with a
/// misleading status, and callers would back off from a limit they did not reach; the requests that do need the database
/// answer 503 <c>database_unavailable</c> on their own).
/// </para>
/// </summary>
public sealed class CallerRateLimiter(IOptions<RateLimitSettings> options, ClusterLimits limits, TimeProvider clock,
    ILogger<CallerRateLimiter> logger) : PartitionedRateLimiter<HttpContext>
{
    public static readonly TimeSpan FallbackPeriod = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);

    private readonly RateLimitSettings _settings = options.Value;
    private readonly Dictionary<string, (DateTimeOffset Tat, DateTimeOffset? BurstTat)> _local = new();
    private DateTimeOffset _databaseAwayUntil = DateTimeOffset.MinValue;
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    /// <summary>The limits of this request's caller; null when it is not limited at all.</summary>
    public (string Key, Gcra Limit, Gcra? Burst, bool Reported)? LimitsOf(HttpContext context)
    {
        if (Caller(context) is not { } caller) return null;
        var windowLimit = _settings.WindowLimitFor(caller.Class, caller.Customer);
        var perSecond = _settings.For(caller.Class).PerSecond;
        Gcra? burst = perSecond > 0 ? Gcra.Window(perSecond, TimeSpan.FromSeconds(1)) : null;
        var key = $"caller:{caller.Credential}";
        if (windowLimit > 0) return (key, Gcra.Window(windowLimit, _settings.Window), burst, true);
        return burst is { } only ? (key, only, null, false) : null;
    }

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    /// <summary>
    /// Never decides on its own (that takes the database): the middleware then asks <see cref="AcquireAsyncCore"/>.
    /// Requests that are not limited pass here.
    /// </summary>
    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
        LimitsOf(resource) is null ? Lease.Unlimited : Lease.Undecided;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellation)
    {
        if (LimitsOf(resource) is not var (key, limit, burst, reported)) return Lease.Unlimited;
        var check = await CheckAsync(key, limit, burst, cancellation);
        if (reported) resource.Features.Set(check);
        return check.Allowed ? Lease.Acquired : new Lease(false, check.RetryAfter);
    }

    private async Task<LimitCheck> CheckAsync(string key, Gcra limit, Gcra? burst, CancellationToken cancellation)
    {
        if (clock.GetUtcNow() >= _databaseAwayUntil)
        {
            try
            {
                return await limits.TakeAsync(key, limit, burst, cancellation);
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested && (e is NpgsqlException || DatabaseFailures.IsTransient(e)))
            {
                _databaseAwayUntil = clock.GetUtcNow() + FallbackPeriod;
                logger.LogWarning(e, "Rate limits cannot reach PostgreSQL; this node counts them on its own for {Period}", FallbackPeriod);
            }
        }
        return TakeLocally(key, limit, burst, clock.GetUtcNow());
    }

    private LimitCheck TakeLocally(string key, Gcra limit, Gcra? burst, DateTimeOffset now)
    {
        lock (_local)
        {
            if (now - _lastPrune > PruneEvery)
            {
                foreach (var (stale, _) in _local.Where(e => e.Value.Tat < now && (e.Value.BurstTat ?? now) <= now).ToList()) _local.Remove(stale);
                _lastPrune = now;
            }
            var (tat, burstTat) = _local.TryGetValue(key, out var state) ? state : (now, (DateTimeOffset?)null);
            var window = limit.Decide(tat, now);
            var (burstAllowed, nextBurstTat) = burst is { } b ? b.Decide(burstTat, now) : (true, now);
            if (!window.Allowed || !burstAllowed)
                return new LimitCheck(false, limit, tat, now, burst, burstTat);
            _local[key] = (window.Tat, burst is null ? null : nextBurstTat);
            return new LimitCheck(true, limit, window.Tat, now, burst, burst is null ? null : nextBurstTat);
        }
    }

    private static (string Credential, string? Class, string? Customer)? Caller(HttpContext context)
    {
        var user = context.User;
        if (user.FindFirstValue(CallerClaims.KeyId) is { } credential)
            return (credential, user.FindFirstValue(CallerClaims.CallerClass), user.FindFirstValue(CallerClaims.Customer));
        if (context.Request.Path.StartsWithSegments("/api/v1/inbound", out var connection))
            return ($"{RateLimitSettings.InboundClass}:{connection}", RateLimitSettings.InboundClass, null);
        return context.Request.Path.StartsWithSegments("/api")
            ? ($"{RateLimitSettings.AnonymousClass}:{context.Connection.RemoteIpAddress}", RateLimitSettings.AnonymousClass, null)
            : null;
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter = null) : RateLimitLease
    {
        public static readonly Lease Unlimited = new(true), Acquired = new(true), Undecided = new(false);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}

public static class CredentialRateLimiting
{
    public static IServiceCollection AddCredentialRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitSettings>().BindConfiguration("RaffsSync:RateLimits");
        services.AddClusterLimits();
        services.AddSingleton<CallerRateLimiter>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<CallerRateLimiter>((options, limiter) =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = limiter;
            options.OnRejected = async (rejected, cancellation) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Seconds(retryAfter);
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                if (rejected.HttpContext.Features.Get<LimitCheck>() is { } check) WriteHeaders(rejected.HttpContext.Response, check);
                await rejected.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = rejected.HttpContext,
                    ProblemDetails = ApiProblems.Create(429, "rate_limited", $"Too many requests; retry after {seconds} s.")
                });
            };
        });
        return services;
    }

    /// <summary>
    /// The tables of the cluster-wide limits (created with Marten's schema at start), their sweeper, and the checks: the
    /// callers' here, the provider calls' (<see cref="Dispatches.ProviderCallLimits"/>) for the executor.
    /// </summary>
    private static IServiceCollection AddClusterLimits(this IServiceCollection services)
    {
        services.ConfigureMarten(opts =>
        {
            foreach (var table in ClusterLimits.Tables()) opts.Storage.ExtendedSchemaObjects.Add(table);
        });
        services.AddSingleton(provider => new ClusterLimits(provider.GetRequiredService<DatabaseConnection>()));
        services.AddSingleton<Dispatches.ProviderCallLimits>();
        services.AddHostedService<LimitRowSweeper>();
        return services;
    }

    /// <summary>
    /// <c>X-RateLimit-Limit</c>, <c>-Remaining</c> and <c>-Reset</c> (seconds until the window frees a request) on every
    /// limited response. Runs right after the rate limiter, so it reads the window as this request left it.
    /// </summary>
    public static IApplicationBuilder UseRateLimitHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Features.Get<LimitCheck>() is { } check)
        {
            context.Response.OnStarting(() =>
            {
                WriteHeaders(context.Response, check);
                return Task.CompletedTask;
            });
        }
        return next(context);
    });

    private static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    private static void WriteHeaders(HttpResponse response, LimitCheck check)
    {
        response.Headers["X-RateLimit-Limit"] = check.Limit.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = check.Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = Seconds(check.Reset).ToString(CultureInfo.InvariantCulture);
    }
}
