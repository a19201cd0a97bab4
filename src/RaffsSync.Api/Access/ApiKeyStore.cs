using Marten;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Access;

public static class ApiKeyStore
{
    /// <summary>Records a new key as the first event of its stream and returns the secret to show once.</summary>
    public static async Task<string> CreateAsync(IDocumentStore store, ApiKeyRequest request, TimeProvider clock,
        CancellationToken cancellation = default)
    {
        var (created, secret) = ApiKeyIssue.Issue(request, clock.GetUtcNow());
        await using var session = store.LightweightSession();
        session.Events.StartStream<ApiKey>(created.KeyId, created);
        await session.SaveChangesAsync(cancellation);
        return secret;
    }
}
