using RaffsSync.Domain.Dispatches;

namespace RaffsSync.Projections.Dispatches;

/// <summary>The dispatch event types, found in the domain assembly rather than listed: what the dispatch projections subscribe to.</summary>
public static class DispatchEvents
{
    public static readonly IReadOnlyList<Type> Types = typeof(IDispatchEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IDispatchEvent).IsAssignableFrom(t))
        .ToArray();
}
