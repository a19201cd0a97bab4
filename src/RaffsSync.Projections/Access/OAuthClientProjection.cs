using Marten.Events.Aggregation;
using RaffsSync.Domain.Access;

namespace RaffsSync.Projections.Access;

public partial class OAuthClientProjection : SingleStreamProjection<OAuthClient, Guid>
{
    public OAuthClient Create(OAuthClientRegistered e) => OAuthClient.Create(e);
    public OAuthClient Apply(OAuthClientRevoked e, OAuthClient client) => client.Apply(e);
}
