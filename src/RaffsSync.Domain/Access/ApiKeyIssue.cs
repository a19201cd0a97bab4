namespace RaffsSync.Domain.Access;

public sealed record ApiKeyRequest(
    string Name,
    ProviderEnvironment Environment,
    CallerClass CallerClass,
    IReadOnlyList<string> Scopes,
    string? CustomerId,
    IReadOnlyList<string> Locations);

public static class ApiKeyIssue
{
    /// <summary>The event that records a new key, and the secret to show its owner exactly once.</summary>
    public static (ApiKeyCreated Created, string Secret) Issue(ApiKeyRequest request, DateTimeOffset now)
    {
        var unknown = request.Scopes.Where(s => !Scopes.IsKnown(s)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"Unknown scope(s): {string.Join(", ", unknown)}.", nameof(request));

        var secret = ApiKeySecret.Generate(request.Environment);
        var created = new ApiKeyCreated(
            Guid.CreateVersion7(now),
            request.Name,
            ApiKeySecret.DisplayPrefix(secret),
            ApiKeySecret.Hash(secret),
            request.Environment,
            request.CallerClass,
            request.Scopes.Distinct().ToArray(),
            request.CustomerId,
            request.Locations.Distinct().ToArray(),
            now);
        return (created, secret);
    }
}
