using JasperFx.Events;
using Marten.Events.Aggregation;
using RaffsSync.Domain.Inbound;

namespace RaffsSync.Projections.Inbound;

public partial class InboundEventProjection : SingleStreamProjection<InboundEvent, Guid>
{
    public InboundEventProjection()
    {
        IncludeType<InboundEventReceived>();
        IncludeType<InboundEventRouted>();
        IncludeType<InboundEventUnrouted>();
    }

    public override InboundEvent? Evolve(InboundEvent? snapshot, Guid id, IEvent e) =>
        e.Data is IInboundEvent @event ? InboundEvent.Next(snapshot, @event) : snapshot;
}
