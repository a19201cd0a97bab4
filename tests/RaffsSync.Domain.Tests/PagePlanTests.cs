using RaffsSync.Domain.Dispatches;
using RaffsSync.Domain.Registry;
using RaffsSync.Domain.Templates;

namespace RaffsSync.Domain.Tests;

public sealed class PagePlanTests
{
    private static readonly RenderedRequests Unpaged = new(
        new RenderedRequest("GET", "http://p/items?since=x", new Dictionary<string, string>(), null),
        new RenderedRequest("GET", "http://p/items?since=x", new Dictionary<string, string>(), null));

    private static RouteDefinition Route(Pagination pagination, string? records = "data") =>
        new("http", new RequestTemplate("GET", "/items", Body: null), Pagination: pagination,
            Response: records is null ? null : new ResponseMapping(records));

    private static ProviderCallResult.Responded Answer(string body, string? link = null) => new(200, body, false, "", 1, NextLink: link);

    [Fact]
    public void page_style_counts_up_until_a_short_page()
    {
        var route = Route(new Pagination("page", Param: "page", SizeParam: "per_page", Size: 2));

        Assert.Equal("http://p/items?since=x&page=1&per_page=2", PagePlan.First(route, Unpaged).ToSend.Url);
        Assert.Equal("http://p/items?since=x&page=2&per_page=2",
            PagePlan.Next(route, Unpaged, 1, 2, 2, Answer("""{"data":[1,2]}"""))!.ToSend.Url);
        Assert.Null(PagePlan.Next(route, Unpaged, 2, 3, 1, Answer("""{"data":[3]}""")));
    }

    [Fact]
    public void offset_style_moves_by_the_records_received()
    {
        var route = Route(new Pagination("offset", Param: "offset", SizeParam: "limit", Size: 100));

        Assert.Equal("http://p/items?since=x&offset=100&limit=100",
            PagePlan.Next(route, Unpaged, 1, 100, 100, Answer("{}"))!.ToSend.Url);
    }

    [Fact]
    public void cursor_style_follows_the_cursor_until_there_is_none()
    {
        var route = Route(new Pagination("cursor", Param: "cursor", Next: "meta.next"));

        Assert.Equal("http://p/items?since=x&cursor=c%202",
            PagePlan.Next(route, Unpaged, 1, 2, 2, Answer("""{"data":[1,2],"meta":{"next":"c 2"}}"""))!.ToSend.Url);
        Assert.Null(PagePlan.Next(route, Unpaged, 2, 3, 1, Answer("""{"data":[3],"meta":{"next":null}}""")));
        Assert.Null(PagePlan.Next(route, Unpaged, 2, 3, 1, Answer("""{"data":[3],"meta":{"next":""}}""")));
    }

    [Fact]
    public void link_header_style_follows_rel_next()
    {
        var route = Route(new Pagination("link_header"));

        Assert.Equal("http://p/items?page=2", PagePlan.Next(route, Unpaged, 1, 1, 1, Answer("[1]", "http://p/items?page=2"))!.ToSend.Url);
        Assert.Null(PagePlan.Next(route, Unpaged, 2, 2, 1, Answer("[1]")));
    }

    [Fact]
    public void no_walk_goes_past_max_pages()
    {
        var route = Route(new Pagination("cursor", Param: "cursor", Next: "next", MaxPages: 3));

        Assert.NotNull(PagePlan.Next(route, Unpaged, 2, 2, 1, Answer("""{"data":[1],"next":"c"}""")));
        Assert.Null(PagePlan.Next(route, Unpaged, 3, 3, 1, Answer("""{"data":[1],"next":"c"}""")));
    }

    [Theory]
    [InlineData("data", """{"data":[1,2,3]}""", 3)]
    [InlineData("data", """{"data":[]}""", 0)]
    [InlineData("data", """{"other":1}""", 0)]
    [InlineData(null, """[1,2]""", 2)]
    [InlineData(null, "not json", 0)]
    public void records_are_counted_by_the_response_selection(string? records, string body, int expected) =>
        Assert.Equal(expected, PagePlan.CountRecords(Route(new Pagination(), records), body));
}
