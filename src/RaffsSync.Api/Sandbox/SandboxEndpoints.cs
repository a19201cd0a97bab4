using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace RaffsSync.Api.Sandbox;

/// <summary>
/// A tiny TakeApp-like provider served by RaffsSync itself, the target of the built-in
/// <c>sandbox</c> routes. Orders live in memory until the process stops.
/// </summary>
public static class SandboxEndpoints
{
    private static readonly ConcurrentDictionary<string, JsonObject> Orders = new();
    private static readonly ConcurrentDictionary<string, bool> AnsweredOnce = new();

    public static IServiceCollection AddSandboxNotifier(this IServiceCollection services)
    {
        services.AddSingleton<SandboxNotifier>();
        services.AddHttpClient(SandboxNotifier.ClientName)
            .ConfigureHttpClient(client => client.Timeout = TimeSpan.FromSeconds(15))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
        return services;
    }

    public static IEndpointRouteBuilder MapSandboxProvider(this IEndpointRouteBuilder app)
    {
        var sandbox = app.MapGroup("/sandbox/v1").ExcludeFromDescription().AllowAnonymous();

        // X-Sandbox-Notify: <connection id> makes the sandbox push order.created to that connection once the order is stored,
        // under the order request's X-Request-Id, so the push and all it causes can be found by the id the caller chose.
        sandbox.MapPost("/orders", (JsonObject order, HttpRequest request, SandboxNotifier notifier) =>
        {
            var id = "ord_" + Guid.NewGuid().ToString("N")[..12];
            var stored = new JsonObject
            {
                ["id"] = id,
                ["status"] = "received",
                ["received_at"] = DateTimeOffset.UtcNow.ToString("O"),
                ["order"] = order.DeepClone()
            };
            Orders[id] = stored;
            if (request.Headers[SandboxNotifier.NotifyHeader].ToString() is { Length: > 0 } connectionId)
                notifier.OrderCreated(connectionId, stored, request.HttpContext.TraceIdentifier);
            return Results.Json(stored, statusCode: StatusCodes.Status201Created);
        });

        sandbox.MapGet("/orders/{id}", (string id) =>
            Orders.TryGetValue(id, out var order) ? Results.Json(order) : Results.Json(new { error = "order not found" }, statusCode: 404));

        sandbox.MapPost("/status/{status:int}", (int status) =>
            status is >= 200 and <= 599
                ? Results.Json(new { status, note = "sandbox answered as asked" }, statusCode: status)
                : Results.BadRequest());

        // The first call for an idempotency key (one per dispatch) answers as asked; later calls (its retries and replays) answer 201.
        sandbox.MapPost("/status/{status:int}/once", (int status, HttpRequest request) =>
        {
            if (status is < 200 or > 599) return Results.BadRequest();
            var key = request.Headers["Idempotency-Key"].ToString();
            return key.Length > 0 && !AnsweredOnce.TryAdd(key, true)
                ? Results.Json(new { status = 201, note = "sandbox answered as asked once; this is a later call" }, statusCode: StatusCodes.Status201Created)
                : Results.Json(new { status, note = "sandbox answered as asked, this once" }, statusCode: status);
        });

        return app;
    }
}
