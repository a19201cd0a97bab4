using System.Runtime.CompilerServices;
using System.Text.Json;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Reports;

namespace RaffsSync.Domain.Tests;

/// <summary>
/// Every dispatch event is handled by the dispatch (status document) and by the daily report: a new
/// event that one of them forgets fails here, instead of silently dropping out of a read model.
/// </summary>
public sealed class DispatchEventHandlingTests
{
    /// <summary>The event records of the dispatch stream, found by shape (they name their dispatch), not by a list.</summary>
    private static readonly IReadOnlyList<Type> EventTypes = [.. typeof(Dispatch).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, Namespace: "RaffsSync.Domain.Dispatches" }
                        && t.GetMethod("<Clone>$") is not null // a record
                        && t.GetProperty("DispatchId")?.PropertyType == typeof(Guid))
            .OrderBy(t => t.Name)];

    public static TheoryData<Type> DispatchEventTypes() => [.. EventTypes];

    [Fact]
    public void the_dispatch_events_are_found()
    {
        Assert.Contains(typeof(DispatchRequested), EventTypes);
        Assert.Contains(typeof(DispatchCancelled), EventTypes);
        Assert.True(EventTypes.Count >= 14, string.Join(", ", EventTypes.Select(t => t.Name)));
    }

    [Theory]
    [MemberData(nameof(DispatchEventTypes))]
    public void each_dispatch_event_is_handled_by_the_dispatch_and_the_daily_report(Type type)
    {
        Assert.True(typeof(IDispatchEvent).IsAssignableFrom(type), $"{type.Name} does not implement {nameof(IDispatchEvent)}.");
        var @event = (IDispatchEvent)RuntimeHelpers.GetUninitializedObject(type);

        var dispatch = Dispatch.Start(new DispatchRequested(Guid.NewGuid(), "29", "acme", "orders.push", 1,
            ProviderEnvironment.Sandbox, JsonDocument.Parse("{}").RootElement, DateTimeOffset.UnixEpoch));
        Assert.NotNull(dispatch.After(@event));

        var day = DispatchDay.Start("29", "acme", "orders.push", new DateOnly(2026, 12, 1));
        Assert.NotNull(day.After(@event));
    }
}
