namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>
/// Browsers may call the API from the origins listed in <c>RaffsSync:Cors:Origins</c> (none by default:
/// the API is for servers, and a page on another origin gets no <c>Access-Control-Allow-Origin</c>).
/// </summary>
public static class CrossOrigin
{
    public const string ConfigurationKey = "RaffsSync:Cors:Origins";

    public static readonly string[] ExposedHeaders =
        [RequestId.Header, "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", "Location", IdempotencyReplay.ReplayedHeader];

    public static IServiceCollection AddCrossOrigin(this IServiceCollection services, IConfiguration configuration)
    {
        var origins = configuration.GetSection(ConfigurationKey).Get<string[]>() ?? [];
        return services.AddCors(cors => cors.AddDefaultPolicy(policy =>
        {
            if (origins.Length == 0) return;
            policy.WithOrigins(origins).AllowAnyMethod()
                .WithHeaders("Authorization", "X-Api-Key", "Content-Type", IdempotencyReplay.KeyHeader, RequestId.Header, "If-Match")
                .WithExposedHeaders(ExposedHeaders);
        }));
    }
}
