using JasperFx.Events;
using Marten.Events.Aggregation;
using RaffsSync.Domain.Dispatches;

namespace RaffsSync.Projections.Dispatches;

/// <summary>
/// Inline: the dispatch document is current in the same transaction that appends its events. It is
/// the aggregate itself (a snapshot): every event goes through <see cref="Dispatch.After"/>, nothing is listed here.
/// </summary>
public partial class DispatchProjection : SingleStreamProjection<Dispatch, Guid>
{
    public DispatchProjection()
    {
        foreach (var type in DispatchEvents.Types) IncludeType(type);
    }

    public override Dispatch? Evolve(Dispatch? snapshot, Guid id, IEvent e) =>
        e.Data is IDispatchEvent @event ? Dispatch.Next(snapshot, @event) : snapshot;
}
