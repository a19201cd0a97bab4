using Marten;
using RaffsSync.Api.Connections;

namespace RaffsSync.Api.Webhooks;

/// <summary>An endpoint's signing secrets, sealed by <see cref="SecretVault"/> (bound to the endpoint id). Never in events.</summary>
public sealed class WebhookEndpointSecret
{
    public Guid Id { get; set; }
    public string Sealed { get; set; } = "";
}

/// <summary>Reads and writes an endpoint's secrets: the current one, and during a rotation the previous one until it expires.</summary>
public static class WebhookSecrets
{
    private const string Current = "current", Previous = "previous", PreviousUntil = "previous_valid_until";

    public static WebhookEndpointSecret Seal(SecretVault vault, Guid endpointId, string current, string? previous = null,
        DateTimeOffset? previousValidUntil = null)
    {
        var values = new Dictionary<string, string> { [Current] = current };
        if (previous is not null && previousValidUntil is { } until)
        {
            values[Previous] = previous;
            values[PreviousUntil] = until.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return new WebhookEndpointSecret { Id = endpointId, Sealed = vault.Seal(endpointId, values) };
    }

    /// <summary>The current secret, then the previous one while it is still valid: what each message is signed with.</summary>
    public static async Task<IReadOnlyList<string>> SigningSecretsAsync(IQuerySession session, SecretVault vault, Guid endpointId,
        DateTimeOffset now, CancellationToken cancellation)
    {
        var stored = await session.LoadAsync<WebhookEndpointSecret>(endpointId, cancellation);
        if (stored is null) return [];
        var values = vault.Open(endpointId, stored.Sealed);
        var secrets = new List<string> { values[Current] };
        if (values.TryGetValue(Previous, out var previous) && values.TryGetValue(PreviousUntil, out var until)
            && DateTimeOffset.FromUnixTimeSeconds(long.Parse(until, System.Globalization.CultureInfo.InvariantCulture)) > now)
            secrets.Add(previous);
        return secrets;
    }

    /// <summary>The current secret only (what a rotation keeps as the previous one).</summary>
    public static async Task<string?> CurrentAsync(IQuerySession session, SecretVault vault, Guid endpointId, CancellationToken cancellation) =>
        await session.LoadAsync<WebhookEndpointSecret>(endpointId, cancellation) is { } stored ? vault.Open(endpointId, stored.Sealed)[Current] : null;
}
