using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Marten;
using RaffsSync.Api.Connections;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Registry;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Sandbox;

/// <summary>
/// The sandbox provider's side of webhooks: after an order is stored it pushes <c>order.created</c> to RaffsSync's own
/// inbound endpoint for the connection named in <c>X-Sandbox-Notify</c>, signed the way the built-in <c>sandbox</c>
/// provider's inbound settings say (HMAC-SHA256 of <c>{timestamp}.{body}</c>, base64, keyed by the connection's
/// <c>webhook_secret</c>). In the background: a slow push never holds the order's answer. Failures are logged.
/// </summary>
public sealed class SandboxNotifier(IDocumentStore store, SecretVault vault, SelfAddress self, IHttpClientFactory clients,
    IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<SandboxNotifier> logger)
{
    public const string NotifyHeader = "X-Sandbox-Notify";
    public const string SignatureHeader = "X-Sandbox-Signature";
    public const string TimestampHeader = "X-Sandbox-Timestamp";
    public const string ClientName = "sandbox-notify";
    public const string OrderCreatedType = "order.created";

    public void OrderCreated(string connectionId, JsonObject order, string requestId) =>
        _ = Task.Run(() => PushAsync(connectionId, order, requestId, lifetime.ApplicationStopping));

    private async Task PushAsync(string connectionId, JsonObject order, string requestId, CancellationToken cancellation)
    {
        try
        {
            if (!Guid.TryParse(connectionId, out var id))
            {
                logger.LogWarning("Sandbox: {Header} '{ConnectionId}' is not a connection id; no event pushed", NotifyHeader, connectionId);
                return;
            }

            await using var session = store.QuerySession();
            var connection = await ConnectionLookup.FindAnyTenantAsync(session, id, cancellation);
            if (connection is not { Active: true } || connection.Provider != ProviderValidation.SandboxKey)
            {
                logger.LogWarning("Sandbox: no active sandbox connection {ConnectionId}; no event pushed", id);
                return;
            }
            var credentials = await ConnectionLookup.CredentialsAsync(session, vault, connection, cancellation);
            if (!credentials.TryGetValue(SignatureScheme.DefaultSecret, out var secret) || secret.Length == 0)
            {
                logger.LogWarning("Sandbox: connection {ConnectionId} has no {Credential} credential to sign with; no event pushed",
                    id, SignatureScheme.DefaultSecret);
                return;
            }

            var body = new JsonObject
            {
                ["id"] = "evt_" + Guid.NewGuid().ToString("N")[..16],
                ["type"] = OrderCreatedType,
                ["data"] = new JsonObject { ["order"] = order.DeepClone() }
            }.ToJsonString();
            var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

            var root = self.TryRoot() ?? throw new InvalidOperationException("the service's own address is unknown (set RaffsSync:SelfUrl)");
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{root.TrimEnd('/')}/api/v1/inbound/{ProviderValidation.SandboxKey}/{id}")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json")
            };
            request.Headers.Add(SignatureHeader, signature);
            request.Headers.Add(TimestampHeader, timestamp);
            request.Headers.Add(RequestId.Header, requestId);
            using var response = await clients.CreateClient(ClientName).SendAsync(request, cancellation);
            if (!response.IsSuccessStatusCode)
                logger.LogWarning("Sandbox: pushing {EventType} to connection {ConnectionId} answered {Status}", OrderCreatedType, id, (int)response.StatusCode);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // stopping
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Sandbox: pushing {EventType} to connection {ConnectionId} failed", OrderCreatedType, connectionId);
        }
    }
}
