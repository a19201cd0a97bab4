using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;

namespace RaffsSync.Api.Infrastructure.RateLimits;

/// <summary>
/// <c>RaffsSync:RateLimits</c>: a sliding window per credential (<c>Limit</c> requests per
/// <c>Window</c>, default 100 per minute, per customer under <c>Customers:{id}:Limit</c>) and a
/// burst limit per second (<c>PerSecond</c>, default 20). Per process: with several nodes each
/// node counts on its own, so the effective limit is the node count times these.
/// </summary>
public sealed class RateLimitSettings
{
    public int Limit { get; set; } = 100;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
    public int PerSecond { get; set; } = 20;
    public Dictionary<string, CustomerLimit> Customers { get; set; } = new();

    public sealed class CustomerLimit
    {
        public int Limit { get; set; }
    }

    public int LimitFor(string? customerId) =>
        customerId is not null && Customers.TryGetValue(customerId, out var custom) && custom.Limit > 0 ? custom.Limit : Limit;
}

/// <summary>
/// The window limiters, one per credential, kept here so every response can report what is left
/// (ASP.NET Core's rate limiter has no hook on accepted requests).
/// </summary>
public sealed class CredentialWindows(IOptions<RateLimitSettings> options)
{
    private readonly RateLimitSettings settings = options.Value;
    private const int Segments = 6;
    private readonly ConcurrentDictionary<string, SlidingWindowRateLimiter> _windows = new();

    public TimeSpan SegmentLength => settings.Window / Segments;

    public SlidingWindowRateLimiter For(string credential, string? customerId) => _windows.GetOrAdd(credential, _ =>
        new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = settings.LimitFor(customerId),
            Window = settings.Window,
            SegmentsPerWindow = Segments,
            QueueLimit = 0,
            AutoReplenishment = true
        }));

    public static string? CredentialOf(ClaimsPrincipal user) => user.FindFirstValue(CallerClaims.KeyId);
}

public static class CredentialRateLimiting
{
    public static IServiceCollection AddCredentialRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitSettings>().BindConfiguration("RaffsSync:RateLimits");
        services.AddSingleton<CredentialWindows>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<CredentialWindows, IOptions<RateLimitSettings>>((options, windows, configured) =>
        {
            var settings = configured.Value;
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => CredentialWindows.CredentialOf(context.User) is { } credential
                    ? RateLimitPartition.Get(credential, key => windows.For(key, context.User.FindFirstValue(CallerClaims.Customer)))
                    : RateLimitPartition.GetNoLimiter("anonymous")),
                PartitionedRateLimiter.Create<HttpContext, string>(context => CredentialWindows.CredentialOf(context.User) is { } credential
                    ? RateLimitPartition.GetFixedWindowLimiter(credential, _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = settings.PerSecond, Window = TimeSpan.FromSeconds(1), QueueLimit = 0
                    })
                    : RateLimitPartition.GetNoLimiter("anonymous")));
            options.OnRejected = async (rejected, cancellation) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : windows.SegmentLength;
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await rejected.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = rejected.HttpContext,
                    ProblemDetails = ApiProblems.Create(429, "rate_limited", $"Too many requests; retry after {seconds} s.")
                });
            };
        });
        return services;
    }

    /// <summary><c>X-RateLimit-Limit</c>, <c>-Remaining</c> and <c>-Reset</c> (seconds until the window frees a request) on every authenticated response.</summary>
    public static IApplicationBuilder UseRateLimitHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (CredentialWindows.CredentialOf(context.User) is { } credential)
        {
            var windows = context.RequestServices.GetRequiredService<CredentialWindows>();
            var settings = context.RequestServices.GetRequiredService<IOptions<RateLimitSettings>>().Value;
            var limit = settings.LimitFor(context.User.FindFirstValue(CallerClaims.Customer));
            context.Response.OnStarting(() =>
            {
                var remaining = windows.For(credential, context.User.FindFirstValue(CallerClaims.Customer)).GetStatistics()?.CurrentAvailablePermits ?? 0;
                context.Response.Headers["X-RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers["X-RateLimit-Remaining"] = Math.Max(0, remaining).ToString(CultureInfo.InvariantCulture);
                context.Response.Headers["X-RateLimit-Reset"] = Math.Max(1, (int)Math.Ceiling(windows.SegmentLength.TotalSeconds))
                    .ToString(CultureInfo.InvariantCulture);
                return Task.CompletedTask;
            });
        }
        return next(context);
    });
}
