using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;

namespace RaffsSync.Api.Infrastructure.RateLimits;

/// <summary>
/// <c>RaffsSync:RateLimits</c>: per credential, a sliding window of <c>Limit</c> requests per <c>Window</c>
/// and a burst limit of <c>PerSecond</c>, set per caller class (<c>Customer</c>, <c>Partner</c>,
/// <c>Internal</c>; 0 means unlimited) and per customer under <c>Customers:{id}:Limit</c>. Customers and
/// partners get the seeds' 100 per minute; internal workers get 100,000 per minute and no burst limit
/// (a guard against a runaway loop, not a throttle). Requests to <c>/api/</c> without a valid credential
/// (token requests, wrong keys) are limited per client address as <c>Anonymous</c>, so secrets cannot be
/// guessed at speed; health, OpenAPI and docs are never limited.
/// Per process: with several nodes each node counts on its own.
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
/// The two limiters every authenticated request passes. ASP.NET Core's partitioned limiters own the
/// per-credential limiters (creating them on demand and disposing them when idle); the window limiter
/// is kept here as well so every response can report what is left (ASP.NET Core's rate limiter has no
/// hook on accepted requests).
/// </summary>
public sealed class CallerLimiters : IDisposable
{
    private const int Segments = 6;
    private readonly RateLimitSettings _settings;

    public CallerLimiters(IOptions<RateLimitSettings> options)
    {
        _settings = options.Value;
        Window = PartitionedRateLimiter.Create<HttpContext, string>(context => Caller(context) is { } caller
            && _settings.WindowLimitFor(caller.Class, caller.Customer) is > 0 and var limit
                ? RateLimitPartition.GetSlidingWindowLimiter(caller.Credential, _ => new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = limit, Window = _settings.Window, SegmentsPerWindow = Segments, QueueLimit = 0, AutoReplenishment = true
                })
                : RateLimitPartition.GetNoLimiter("unlimited"));
        Burst = PartitionedRateLimiter.Create<HttpContext, string>(context => Caller(context) is { } caller
            && _settings.For(caller.Class).PerSecond is > 0 and var perSecond
                ? RateLimitPartition.GetFixedWindowLimiter(caller.Credential, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perSecond, Window = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true
                })
                : RateLimitPartition.GetNoLimiter("unlimited"));
    }

    public PartitionedRateLimiter<HttpContext> Window { get; }
    public PartitionedRateLimiter<HttpContext> Burst { get; }

    public TimeSpan SegmentLength => _settings.Window / Segments;

    public void Dispose()
    {
        Window.Dispose();
        Burst.Dispose();
    }

    /// <summary>The window's limit and what is left of it for this request's credential; null when it is not limited.</summary>
    public (int Limit, long Remaining)? WindowState(HttpContext context)
    {
        if (Caller(context) is not { } caller) return null;
        var limit = _settings.WindowLimitFor(caller.Class, caller.Customer);
        if (limit <= 0) return null;
        return (limit, Window.GetStatistics(context)?.CurrentAvailablePermits ?? limit);
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
}

public static class CredentialRateLimiting
{
    public static IServiceCollection AddCredentialRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitSettings>().BindConfiguration("RaffsSync:RateLimits");
        services.AddSingleton<CallerLimiters>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<CallerLimiters>((options, limiters) =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(limiters.Window, limiters.Burst);
            options.OnRejected = async (rejected, cancellation) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limiters.SegmentLength;
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                if (limiters.WindowState(rejected.HttpContext) is var (limit, remaining))
                    WriteHeaders(rejected.HttpContext.Response, limit, remaining, limiters.SegmentLength);
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
    /// <c>X-RateLimit-Limit</c>, <c>-Remaining</c> and <c>-Reset</c> (seconds until the window frees a request) on every
    /// limited response. Runs right after the rate limiter, so it reads the window as this request left it.
    /// </summary>
    public static IApplicationBuilder UseRateLimitHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var limiters = context.RequestServices.GetRequiredService<CallerLimiters>();
        if (limiters.WindowState(context) is var (limit, remaining))
        {
            context.Response.OnStarting(() =>
            {
                WriteHeaders(context.Response, limit, remaining, limiters.SegmentLength);
                return Task.CompletedTask;
            });
        }
        return next(context);
    });

    private static void WriteHeaders(HttpResponse response, int limit, long remaining, TimeSpan segment)
    {
        response.Headers["X-RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = Math.Max(0, remaining).ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = Math.Max(1, (int)Math.Ceiling(segment.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }
}
