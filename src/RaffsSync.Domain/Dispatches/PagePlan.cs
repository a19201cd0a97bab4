using System.Text.Json;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;

namespace RaffsSync.Domain.Dispatches;

/// <summary>
/// How a pull route walks the provider's pages: which request comes next, given the last answer.
/// Page and offset styles stop at an empty (or short, when a size is set) page, cursor at a missing
/// cursor, link header at a missing <c>rel="next"</c>; never past <c>max_pages</c>.
/// </summary>
public static class PagePlan
{
    public static bool IsPaged(RouteDefinition route) => route.Pagination is { Style: not "none" };

    public static RenderedRequests First(RouteDefinition route, RenderedRequests request)
    {
        var paging = route.Pagination!;
        var first = paging.Style switch
        {
            "page" => Parameters(paging, "1"),
            "offset" => Parameters(paging, "0"),
            _ => paging.Size is { } size && paging.SizeParam is { } sizeParam ? [(sizeParam, size.ToString())] : []
        };
        return WithQuery(request, first);
    }

    /// <summary>The request for page <paramref name="pageNumber"/> + 1, built on the route's own request, or null when the walk is over.</summary>
    public static RenderedRequests? Next(RouteDefinition route, RenderedRequests unpaged, int pageNumber, int offsetSoFar,
        int recordsOnPage, ProviderCallResult.Responded answer)
    {
        var paging = route.Pagination!;
        if (pageNumber >= paging.MaxPages) return null;
        var shortPage = recordsOnPage == 0 || (paging.Size is { } size && recordsOnPage < size);

        return paging.Style switch
        {
            "page" when !shortPage => WithQuery(unpaged, Parameters(paging, pageNumber + 1)),
            "offset" when !shortPage => WithQuery(unpaged, Parameters(paging, offsetSoFar)),
            "cursor" => NextCursor(paging, answer.Body) is { } cursor ? WithQuery(unpaged, Parameters(paging, cursor)) : null,
            "link_header" when answer.NextLink is { } link => new RenderedRequests(
                unpaged.ToSend with { Url = link }, unpaged.Masked with { Url = link }),
            _ => null
        };
    }

    /// <summary>How many records an answer holds, by the route's <c>response.records</c> (default: the body itself).</summary>
    public static int CountRecords(RouteDefinition route, string body)
    {
        try
        {
            var selected = route.Response?.Records is { } expression ? JsonExpression.Evaluate(expression, body) : body;
            using var document = JsonDocument.Parse(selected);
            return document.RootElement.ValueKind switch
            {
                JsonValueKind.Array => document.RootElement.GetArrayLength(),
                JsonValueKind.Null or JsonValueKind.Undefined => 0,
                _ => 1
            };
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException)
        {
            return 0; // not JSON: nothing countable
        }
    }

    private static string? NextCursor(Pagination paging, string body)
    {
        try
        {
            using var cursor = JsonDocument.Parse(JsonExpression.Evaluate(paging.Next!, body));
            return cursor.RootElement.ValueKind switch
            {
                JsonValueKind.String when cursor.RootElement.GetString() is { Length: > 0 } text => text,
                JsonValueKind.Number => cursor.RootElement.GetRawText(),
                _ => null
            };
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException)
        {
            return null;
        }
    }

    private static List<(string, string)> Parameters(Pagination paging, int value) => Parameters(paging, value.ToString());

    private static List<(string, string)> Parameters(Pagination paging, string value)
    {
        var parameters = new List<(string, string)> { (paging.Param!, value) };
        if (paging.Size is { } size && paging.SizeParam is { } sizeParam) parameters.Add((sizeParam, size.ToString()));
        return parameters;
    }

    private static RenderedRequests WithQuery(RenderedRequests request, IReadOnlyList<(string Name, string Value)> parameters) =>
        new(request.ToSend with { Url = AddQuery(request.ToSend.Url, parameters) },
            request.Masked with { Url = AddQuery(request.Masked.Url, parameters) });

    private static string AddQuery(string url, IReadOnlyList<(string Name, string Value)> parameters)
    {
        var result = url;
        foreach (var (name, value) in parameters)
            result += (result.Contains('?') ? "&" : "?") + Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value);
        return result;
    }
}
