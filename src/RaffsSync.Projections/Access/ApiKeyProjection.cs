using Marten.Events.Aggregation;
using RaffsSync.Domain.Access;

namespace RaffsSync.Projections.Access;

public partial class ApiKeyProjection : SingleStreamProjection<ApiKey, Guid>
{
    public ApiKey Create(ApiKeyCreated e) => ApiKey.Create(e);
    public ApiKey Apply(ApiKeyRevoked e, ApiKey key) => key.Apply(e);
}
