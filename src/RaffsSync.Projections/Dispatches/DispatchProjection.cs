using Marten.Events.Aggregation;
using RaffsSync.Domain.Dispatches;

namespace RaffsSync.Projections.Dispatches;

/// <summary>Inline: the dispatch document is current in the same transaction that appends its events.</summary>
public partial class DispatchProjection : SingleStreamProjection<Dispatch, Guid>
{
    public Dispatch Create(DispatchRequested e) => Dispatch.Create(e);
    public Dispatch Apply(DispatchAttemptStarted e, Dispatch dispatch) => dispatch.Apply(e);
    public Dispatch Apply(ProviderResponded e, Dispatch dispatch) => dispatch.Apply(e);
    public Dispatch Apply(ProviderUnreachable e, Dispatch dispatch) => dispatch.Apply(e);
    public Dispatch Apply(DispatchAttemptInterrupted e, Dispatch dispatch) => dispatch.Apply(e);
    public Dispatch Apply(DispatchReconciled e, Dispatch dispatch) => dispatch.Apply(e);
    public Dispatch Apply(DispatchRequeued e, Dispatch dispatch) => dispatch.Apply(e);
    public Dispatch Apply(DispatchRetryScheduled e, Dispatch dispatch) => dispatch.Apply(e);
    public Dispatch Apply(DispatchReplayRequested e, Dispatch dispatch) => dispatch.Apply(e);
    public Dispatch Apply(DispatchCancelled e, Dispatch dispatch) => dispatch.Apply(e);
    public Dispatch Apply(DispatchSucceeded e, Dispatch dispatch) => dispatch.Apply(e);
    public Dispatch Apply(DispatchDeadLettered e, Dispatch dispatch) => dispatch.Apply(e);
    public Dispatch Apply(DispatchOutcomeUnknown e, Dispatch dispatch) => dispatch.Apply(e);
    public Dispatch Apply(DispatchFailed e, Dispatch dispatch) => dispatch.Apply(e);
}
