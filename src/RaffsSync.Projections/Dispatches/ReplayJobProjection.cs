using Marten.Events.Aggregation;
using RaffsSync.Domain.Dispatches;

namespace RaffsSync.Projections.Dispatches;

public partial class ReplayJobProjection : SingleStreamProjection<ReplayJob, Guid>
{
    public ReplayJob Create(ReplayJobStarted e) => ReplayJob.Create(e);
    public ReplayJob Apply(ReplayJobProgressed e, ReplayJob job) => job.Apply(e);
    public ReplayJob Apply(ReplayJobCompleted e, ReplayJob job) => job.Apply(e);
    public ReplayJob Apply(ReplayJobCancelled e, ReplayJob job) => job.Apply(e);
    public ReplayJob Apply(ReplayJobFailed e, ReplayJob job) => job.Apply(e);
}
