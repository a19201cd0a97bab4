using Marten;
using Microsoft.Extensions.Options;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.WebConsole;

/// <summary>Starts and ends console sessions. Signing in needs a key that is active and unexpired right now.</summary>
public sealed class ConsoleSessions(IDocumentStore store, TimeProvider clock, IOptions<ConsoleSettings> settings)
{
    public const string CookieName = "raffssync_console";
    public const string BasePath = "/console";

    /// <returns>The new session's token and when it ends, or null when the key is not one that works.</returns>
    public async Task<(string Token, DateTimeOffset ExpiresAt)?> StartAsync(string presentedKey, CancellationToken cancellation)
    {
        var candidate = presentedKey.Trim();
        if (!ApiKeySecret.LooksLikeKey(candidate)) return null;

        await using var session = store.LightweightSession();
        var hash = ApiKeySecret.Hash(candidate);
        var key = await session.Query<ApiKey>().FirstOrDefaultAsync(k => k.SecretHash == hash, cancellation);
        var now = clock.GetUtcNow();
        if (key is not { IsActive: true } || key.IsExpiredAt(now)) return null;

        var token = ConsoleSessionToken.Generate();
        var lifetime = now + settings.Value.SessionLifetime;
        // A session never outlives its key.
        var expires = key.ExpiresAt is { } keyExpires && keyExpires < lifetime ? keyExpires : lifetime;
        session.DeleteWhere<ConsoleSession>(s => s.ExpiresAt < now);
        session.Store(new ConsoleSession { Id = ConsoleSessionToken.Hash(token), KeyId = key.Id, StartedAt = now, ExpiresAt = expires });
        await session.SaveChangesAsync(cancellation);
        return (token, expires);
    }

    public async Task EndAsync(string token, CancellationToken cancellation)
    {
        if (!ConsoleSessionToken.LooksLikeToken(token)) return;
        await using var session = store.LightweightSession();
        session.Delete<ConsoleSession>(ConsoleSessionToken.Hash(token));
        await session.SaveChangesAsync(cancellation);
    }
}
