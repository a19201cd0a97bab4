using System.Collections.Concurrent;
using System.Text;

// A provider and a webhook receiver on loopback for bench/run.sh. Both answer at once; the provider counts
// calls per dispatch id (the route's path carries it), the receiver counts deliveries per webhook-id, so
// the benchmark can tell duplicate calls from retries the policy allows.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var calls = new ConcurrentDictionary<string, int>();
var deliveries = new ConcurrentDictionary<string, int>();
long firstDelivery = 0, lastDelivery = 0;

app.MapPost("/provider/orders/{dispatchId}", (string dispatchId) =>
{
    calls.AddOrUpdate(dispatchId, 1, (_, n) => n + 1);
    return Results.Json(new { id = dispatchId, status = "created" }, statusCode: 201);
});

app.MapPost("/hooks", (HttpRequest request) =>
{
    var now = Environment.TickCount64;
    Interlocked.CompareExchange(ref firstDelivery, now, 0);
    Interlocked.Exchange(ref lastDelivery, now);
    deliveries.AddOrUpdate(request.Headers["webhook-id"].ToString(), 1, (_, n) => n + 1);
    return Results.NoContent();
});

// "dispatch_id,calls" lines, for psql's \copy.
app.MapGet("/calls", () =>
{
    var csv = new StringBuilder();
    foreach (var (id, n) in calls) csv.Append(id).Append(',').Append(n).Append('\n');
    return Results.Text(csv.ToString(), "text/csv");
});

app.MapGet("/deliveries", () => Results.Json(new
{
    messages = deliveries.Count,
    deliveries = deliveries.Values.Sum(),
    span_ms = lastDelivery - firstDelivery
}));

app.MapPost("/reset", () =>
{
    calls.Clear();
    deliveries.Clear();
    firstDelivery = lastDelivery = 0;
});

app.Run();
