using Marten.Events.Aggregation;
using RaffsSync.Domain.Access;

namespace RaffsSync.Projections.Access;

public partial class CustomerProjection : SingleStreamProjection<Customer, Guid>
{
    public Customer Create(CustomerCreated e) => Customer.Create(e);
    public Customer Apply(LocationAdded e, Customer customer) => customer.Apply(e);
}
