namespace RaffsSync.Api.Infrastructure.OpenApi;

public enum QueryValue { String, Integer, DateTime, Date, Long }

/// <summary>
/// One query-string parameter an endpoint reads. The endpoint's parser and its OpenAPI
/// description both come from the same list, so the document cannot drift from what is accepted.
/// </summary>
public sealed record QueryParameter(
    string Name,
    string Description,
    QueryValue Type = QueryValue.String,
    IReadOnlyList<string>? Enum = null,
    string? Default = null,
    int? Minimum = null,
    int? Maximum = null,
    bool CommaSeparated = false,
    bool Filter = false,
    int MaxLength = QueryParameter.DefaultMaxLength)
{
    public const int DefaultMaxLength = RaffsSync.Domain.IdentifierLimits.QueryValue;

    /// <summary>The accepted spellings: a filter is also <c>filter[status]=a,b</c> (and <c>filter[created_at][gte]</c>).</summary>
    public IEnumerable<string> Spellings => !Filter ? [Name]
        : Name.Contains('[') ? [Name, $"filter[{Name.Replace("[", "][")}"] : [Name, $"filter[{Name}]"];
}

/// <summary>A set of query parameters an endpoint accepts (and refuses any other).</summary>
public interface IQueryContract
{
    static abstract IReadOnlyList<QueryParameter> Parameters { get; }
}

public static class QueryContracts
{
    /// <summary>The keys of <paramref name="query"/> that are none of the contract's parameters (in any spelling).</summary>
    public static IEnumerable<string> UnknownIn(this IReadOnlyList<QueryParameter> contract, IQueryCollection query)
    {
        var accepted = contract.SelectMany(p => p.Spellings).ToHashSet();
        return query.Keys.Where(key => !accepted.Contains(key));
    }
}

/// <summary>Documents the endpoint's query string from <typeparamref name="T"/>'s parameters.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class QueryStringAttribute<T> : Attribute, IQueryStringMetadata where T : IQueryContract
{
    public IReadOnlyList<QueryParameter> Parameters => T.Parameters;
}

public interface IQueryStringMetadata
{
    IReadOnlyList<QueryParameter> Parameters { get; }
}
