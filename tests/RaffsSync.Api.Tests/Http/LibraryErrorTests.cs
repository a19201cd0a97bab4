using Alba;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Api.Tests.Harness;
using Wolverine.Http;

namespace RaffsSync.Api.Tests.Http;

/// <summary>Error codes come from what the libraries are and do, not from the text they write.</summary>
[Collection(HttpContractCollection.Name)]
public sealed class LibraryErrorTests(AppFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task an_empty_json_body_is_400_invalid_json_answered_by_the_input_guard()
    {
        var key = await Fixture.CreateKeyAsync();
        var before = await Fixture.CountEventsAsync("api_key_created");

        var result = await Host.Scenario(s =>
        {
            s.Post.Text("").ToUrl("/api/v1/api-keys");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Authorization", $"Bearer {key}");
            s.IgnoreStatusCode();
        });

        var problem = await result.ShouldBeProblemAsync(400, "invalid_json");
        var detail = problem.GetProperty("details")[0];
        Assert.Equal("body", detail.GetProperty("field").GetString());
        Assert.Equal("line 0, byte 0", detail.GetProperty("hint").GetString());
        Assert.Equal(before, await Fixture.CountEventsAsync("api_key_created"));
    }

    // Wolverine.Http 6.62 (HttpHandler.AnswerDeduplicatedRepeatAsync) answers a reused Idempotency-Key with a bare
    // 422 problem and a key still in use with a bare 409: status and detail, no code. IdempotencyTests checks the
    // 422 end to end; these pin the recognition that does not depend on Wolverine's wording.
    [Theory]
    [InlineData(422, "idempotency_key_reused")]
    [InlineData(409, "idempotency_key_in_use")]
    public void a_bare_refusal_on_a_deduplicated_endpoint_with_a_key_is_recognised_whatever_its_text(int status, string code)
    {
        var context = Deduplicated(withKey: true);

        var recognised = DeduplicationRefusals.Recognise(new ProblemDetails { Status = status, Detail = "any wording at all" }, context);

        Assert.Equal(code, recognised?.Code);
    }

    [Fact]
    public void a_problem_of_ours_or_one_without_a_key_or_elsewhere_is_not_a_deduplication_refusal()
    {
        var ours = ApiProblems.Create(409, "conflict", "Something else conflicts.");
        Assert.Null(DeduplicationRefusals.Recognise(ours, Deduplicated(withKey: true)));
        Assert.Null(DeduplicationRefusals.Recognise(new ProblemDetails { Status = 422 }, Deduplicated(withKey: false)));

        var plain = new DefaultHttpContext();
        plain.Request.Headers[IdempotencyReplay.KeyHeader] = "k-1";
        plain.SetEndpoint(new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(), "plain"));
        Assert.Null(DeduplicationRefusals.Recognise(new ProblemDetails { Status = 422 }, plain));
    }

    private static HttpContext Deduplicated(bool withKey)
    {
        var context = new DefaultHttpContext();
        if (withKey) context.Request.Headers[IdempotencyReplay.KeyHeader] = "k-1";
        context.SetEndpoint(new Endpoint(_ => Task.CompletedTask,
            new EndpointMetadataCollection(new DeduplicatedWithResponseAttribute(DeduplicationScope.User)), "deduplicated"));
        return context;
    }
}
