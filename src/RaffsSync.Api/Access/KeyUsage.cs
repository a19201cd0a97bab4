using System.Collections.Concurrent;
using Marten;

namespace RaffsSync.Api.Access;

/// <summary>When a key was last used. Operational data, not a business fact: a document, not an event.</summary>
public sealed class ApiKeyUsage
{
    public Guid Id { get; set; }
    public DateTimeOffset LastUsedAt { get; set; }
}

/// <summary>Records key use at most once a minute per key and process, so authentication stays a read.</summary>
public sealed class KeyUsage(IDocumentStore store, TimeProvider clock)
{
    private static readonly TimeSpan Resolution = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _recorded = new();

    public async Task RecordAsync(Guid keyId, CancellationToken cancellation)
    {
        var now = clock.GetUtcNow();
        if (_recorded.TryGetValue(keyId, out var last) && now - last < Resolution) return;
        _recorded[keyId] = now;

        await using var session = store.LightweightSession();
        session.Store(new ApiKeyUsage { Id = keyId, LastUsedAt = now });
        await session.SaveChangesAsync(cancellation);
    }
}
