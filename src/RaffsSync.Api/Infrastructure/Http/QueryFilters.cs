using System.Globalization;

namespace RaffsSync.Api.Infrastructure.Http;

/// <summary>The list filters of API.md: <c>name=a,b</c> or <c>filter[name]=a,b</c>, and time bounds such as <c>created_at[gte]</c>.</summary>
public static class QueryFilters
{
    public static IReadOnlyList<string> Values(IQueryCollection query, string name) =>
        (query[$"filter[{name}]"].ToString() + "," + query[name].ToString())
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary><c>{field}[{op}]</c> or <c>filter[{field}][{op}]</c> as an RFC 3339 time; an unreadable one is added to <paramref name="errors"/>.</summary>
    public static DateTimeOffset? Time(IQueryCollection query, string field, string op, List<ProblemDetail> errors)
    {
        var text = query[$"{field}[{op}]"].ToString() is { Length: > 0 } plain ? plain : query[$"filter[{field}][{op}]"].ToString();
        if (text.Length == 0) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return time;
        errors.Add(new ProblemDetail($"{field}[{op}]", "invalid", "an RFC 3339 time such as 2026-11-01T00:00:00Z"));
        return null;
    }
}
