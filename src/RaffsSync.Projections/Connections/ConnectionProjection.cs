using Marten.Events.Aggregation;
using RaffsSync.Domain.Connections;

namespace RaffsSync.Projections.Connections;

public partial class ConnectionProjection : SingleStreamProjection<Connection, Guid>
{
    public Connection Create(ConnectionCreated e) => Connection.Create(e);
    public Connection Apply(ConnectionSettingsChanged e, Connection connection) => connection.Apply(e);
    public Connection Apply(ConnectionCredentialsRotated e, Connection connection) => connection.Apply(e);
    public Connection Apply(ConnectionRemoved e, Connection connection) => connection.Apply(e);
}
