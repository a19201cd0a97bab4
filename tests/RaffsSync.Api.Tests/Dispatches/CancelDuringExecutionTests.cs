using System.Text.Json;
using Alba;
using Marten;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Domain.Dispatches;

namespace RaffsSync.Api.Tests.Dispatches;

[Collection(DispatchCollection.Name)]
public sealed class CancelDuringExecutionTests(AppFixture fixture) : ApiTest(fixture)
{
    /// <summary>
    /// The executor decides to run the dispatch, then fetches an OAuth token before claiming the
    /// attempt. The token endpoint cancels the dispatch through the API before it answers: the
    /// claim, made on the version the decision read, must lose to the cancel and nothing is sent.
    /// A token endpoint that fails (503, retried later) must not undo the cancel either.
    /// </summary>
    [Theory]
    [InlineData(200)]
    [InlineData(503)]
    public async Task a_cancel_committed_between_the_decision_and_the_claim_wins_and_the_provider_is_not_called(int tokenStatus)
    {
        await using var provider = await LoopbackProvider.StartAsync();
        var key = await Fixture.CreateKeyAsync();
        await CallAsync(key, s => s.Post.Json(new
        {
            key = $"oauth-race-{tokenStatus}", name = $"OAuth race {tokenStatus}", auth_kind = "oauth2_client_credentials", base_urls = new { sandbox = provider.BaseUrl }
        }).ToUrl("/api/v1/providers"));
        await CallAsync(key, s => s.Put.Json(new
        {
            kind = "http",
            request = new { method = "POST", path = "/v1/orders" },
            auth = new
            {
                type = "oauth2_client_credentials", token_url = provider.BaseUrl + "/oauth/token",
                client_id = "{{credentials.client_id}}", client_secret = "{{credentials.client_secret}}"
            },
            success = new[] { 201 }
        }).ToUrl($"/api/v1/providers/oauth-race-{tokenStatus}/routes/orders.push"));
        await CallAsync(key, s => s.Post.Json(new
        {
            provider = $"oauth-race-{tokenStatus}", environment = "sandbox", credentials = new { client_id = "rs-client", client_secret = "race-secret" }
        }).ToUrl("/api/v1/locations/29/connections"));

        var cancels = new List<int>();
        provider.BeforeAnswer = async request =>
        {
            if (request.PathAndQuery != "/oauth/token") return;
            await using var query = Fixture.Store.QuerySession("29");
            var waiting = await query.Query<Dispatch>().Where(d => d.Provider == $"oauth-race-{tokenStatus}").SingleAsync();
            var cancelled = await CallAsync(key, s => s.Post.Json(new { reason = "changed my mind" })
                .ToUrl($"/api/v1/dispatches/{waiting.Id}/cancel"));
            cancels.Add(cancelled.Context.Response.StatusCode);
        };
        provider.Reply(tokenStatus, """{"access_token":"at-race","token_type":"Bearer","expires_in":3600}""");
        provider.Reply(201);

        var accepted = await ScenarioAndWaitAsync(PostDispatch(key,
            new { tenant_id = "29", provider = $"oauth-race-{tokenStatus}", route_key = "orders.push", payload = new { } }));
        var id = (await accepted.ReadAsJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        Assert.Equal([200], cancels);
        Assert.Equal(["/oauth/token"], provider.Received.Select(r => r.PathAndQuery));
        var status = await Host.GetAsJson<JsonElement>($"/api/v1/dispatches/{id}", key);
        Assert.Equal("cancelled", status.GetProperty("status").GetString());
        Assert.Equal(0, status.GetProperty("attempts").GetInt32());

        await using var session = Fixture.Store.QuerySession("29");
        var events = await session.Events.FetchStreamAsync(id);
        Assert.Equal([typeof(DispatchRequested), typeof(DispatchCancelled)], events.Select(e => e.EventType));
    }
}
