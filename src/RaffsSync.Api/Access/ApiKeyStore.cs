using Marten;
using RaffsSync.Domain.Access;

namespace RaffsSync.Api.Access;

public static class ApiKeyStore
{
    /// <summary>Records a new key as the first event of its stream and returns the secret to show once.</summary>
    public static async Task<string> CreateAsync(IDocumentStore store, ApiKeyRequest request, TimeProvider clock,
        CancellationToken cancellation = default)
    {
        await using var session = store.LightweightSession();
        var (_, secret) = Start(session, request, clock.GetUtcNow());
        await session.SaveChangesAsync(cancellation);
        return secret;
    }

    /// <summary>Starts the key's stream in the session; the caller commits.</summary>
    public static (ApiKeyCreated Created, string Secret) Start(IDocumentSession session, ApiKeyRequest request, DateTimeOffset now)
    {
        var (created, secret) = ApiKeyIssue.Issue(request, now);
        session.Events.StartStream<ApiKey>(created.KeyId, created);
        return (created, secret);
    }
}
