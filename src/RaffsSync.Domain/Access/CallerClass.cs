namespace RaffsSync.Domain.Access;

/// <summary>Who is calling: a customer's system, RaffsSync's own workers, or a partner provider.</summary>
public enum CallerClass
{
    Customer,
    Internal,
    Partner
}
