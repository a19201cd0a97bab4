using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Reports;
using RaffsSync.Projections.Dispatches;

namespace RaffsSync.Projections.Reports;

/// <summary>
/// Async: dispatch outcomes per location, provider, route and request day. Only the first event of
/// a dispatch names its route, so later events find their day through the (inline) dispatch document.
/// </summary>
public partial class DispatchDayProjection : MultiStreamProjection<DispatchDay, string>
{
    public const string ProjectionName = "DispatchDay";

    public DispatchDayProjection()
    {
        Name = ProjectionName;
        foreach (var type in DispatchEvents.Types) IncludeType(type);
        CustomGrouping(async (session, events, grouping) =>
        {
            var days = events.Select(e => e.Data).OfType<DispatchRequested>()
                .ToDictionary(e => e.DispatchId, e => DispatchDay.IdFor(e.TenantId, e.Provider, e.RouteKey, DispatchDay.DayOf(e.RequestedAt)));

            var unknown = events.Select(e => e.StreamId).Where(id => !days.ContainsKey(id)).Distinct().ToArray();
            if (unknown.Length > 0)
            {
                var dispatches = await session.Query<Dispatch>().Where(d => d.AnyTenant() && d.Id.IsOneOf(unknown)).ToListAsync();
                foreach (var d in dispatches)
                    days[d.Id] = DispatchDay.IdFor(d.TenantId, d.Provider, d.RouteKey, DispatchDay.DayOf(d.CreatedAt));
            }

            foreach (var e in events)
                if (days.TryGetValue(e.StreamId, out var day)) grouping.AddEvent(day, e);
        });
    }

    public override DispatchDay? Evolve(DispatchDay? snapshot, string id, IEvent e) =>
        e.Data is IDispatchEvent @event ? DispatchDay.Next(snapshot, @event) : snapshot;
}
