using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using RaffsSync.Api.Access;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Api.WebConsole;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Tests.Console;

/// <summary>
/// The console over plain HTTP against the host on a loopback port (its pages call the node's own API over HTTP):
/// what a copied cookie, a stale form, a bad query or a restart do.
/// </summary>
public sealed partial class ConsoleHttpTests
{
    [Fact]
    public async Task a_sign_in_form_served_before_a_restart_is_accepted_after_it()
    {
        var database = await OwnDatabase.CreateAsync();
        string key;
        SignInForm form;
        await using (var before = LoopbackHost.Start(database))
        {
            key = await KeyAsync(before);
            form = await SignInFormAsync(Client(before));
            // In the database, not only in a folder this machine happens to share between the two hosts.
            await using var query = before.Services.GetRequiredService<IDocumentStore>().QuerySession();
            Assert.NotEmpty(await query.Query<DataProtectionKey>().ToListAsync());
        }

        await using var after = LoopbackHost.Start(database);
        using var signedIn = await Client(after).SendAsync(SignInRequest(form, key, "/console/audit"));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.EndsWith("/console/audit", signedIn.Headers.Location!.ToString());
        Assert.Contains(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("raffssync_console=rscs_"));
    }

    [Fact]
    public async Task a_session_token_works_only_in_the_console_and_an_api_key_header_does_not_open_it()
    {
        await using var host = LoopbackHost.Start(await OwnDatabase.CreateAsync());
        var http = Client(host);
        var key = await KeyAsync(host);
        var session = await SignInAsync(http, key);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, "/console/dispatches", cookie: session.Cookie)).StatusCode);
        // The cookie's value copied into an API client is refused: it could otherwise mint keys that outlive the session.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, "/api/v1/api-keys", bearer: session.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, "/api/v1/api-keys", cookie: session.Cookie)).StatusCode);
        var withKey = await SendAsync(http, "/console/dispatches", bearer: key);
        Assert.Equal(HttpStatusCode.Redirect, withKey.StatusCode);
        Assert.StartsWith("/console/sign-in", withKey.Headers.Location!.ToString());
    }

    [Fact]
    public async Task a_stale_form_or_a_bad_page_number_is_answered_as_a_page_not_a_500_and_the_key_is_never_echoed()
    {
        await using var host = LoopbackHost.Start(await OwnDatabase.CreateAsync());
        var http = Client(host);
        var key = await KeyAsync(host);
        var session = await SignInAsync(http, key);

        using var staleRequest = new HttpRequestMessage(HttpMethod.Post, "/console/sign-out")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "sign-out" })
        };
        staleRequest.Headers.Add("Cookie", session.Cookie);
        using var stale = await http.SendAsync(staleRequest);
        Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
        Assert.Equal("text/html", stale.Content.Headers.ContentType?.MediaType);
        Assert.Contains("This form has expired", await stale.Content.ReadAsStringAsync());
        // Refused, so the session still works.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, "/console/dispatches", cookie: session.Cookie)).StatusCode);

        foreach (var page in new[] { "abc", "1.5", "99999999999", "-3" })
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, $"/console/dispatches?page={page}", cookie: session.Cookie)).StatusCode);

        var wrongKey = key[..^1] + (key[^1] == 'a' ? 'b' : 'a');
        using var refused = await http.SendAsync(SignInRequest(await SignInFormAsync(http), wrongKey, null));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain(key[..^1], await refused.Content.ReadAsStringAsync());
        Assert.DoesNotContain(key, session.Body);
    }

    [Fact]
    public async Task route_versions_that_are_not_numbers_or_not_there_are_said_to_be_missing_not_a_500()
    {
        await using var host = LoopbackHost.Start(await OwnDatabase.CreateAsync());
        var http = Client(host);
        var session = await SignInAsync(http, await KeyAsync(host));
        const string route = "/console/providers/sandbox/routes/orders.push";

        foreach (var query in new[] { "version=abc", "version=999", "from=2147483648&to=1", "from=1&to=-1", "version=%E2%9C%93" })
        {
            using var answer = await SendAsync(http, $"{route}?{query}", cookie: session.Cookie);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains("No such version", await answer.Content.ReadAsStringAsync());
        }
        using var fine = await SendAsync(http, $"{route}?version=1", cookie: session.Cookie);
        Assert.DoesNotContain("No such version", await fine.Content.ReadAsStringAsync());

        // The dry run's version too: refused in words, not rendered as some other version.
        var page = await fine.Content.ReadAsStringAsync();
        using var render = new HttpRequestMessage(HttpMethod.Post, route)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "render", ["__RequestVerificationToken"] = AntiforgeryField().Match(page).Groups[1].Value,
                ["Render.TenantId"] = "29", ["Render.Version"] = "abc", ["Render.Payload"] = "{}"
            })
        };
        render.Headers.Add("Cookie", session.Cookie);
        using var refused = await http.SendAsync(render);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Contains("The version must be a number", body);
        Assert.DoesNotContain("data-testid=\"rendered\"", body);
    }

    [Fact]
    public async Task a_form_key_is_claimed_once_across_the_cluster_and_a_form_without_one_is_refused()
    {
        await using var host = LoopbackHost.Start(await OwnDatabase.CreateAsync());
        var claims = host.Services.GetRequiredService<ConsoleFormClaims>();
        var formKey = Guid.NewGuid().ToString();

        var twice = await Task.WhenAll(claims.TryClaimAsync(formKey), claims.TryClaimAsync(formKey));
        Assert.Equal(1, twice.Count(claimed => claimed));
        Assert.False(await claims.TryClaimAsync(formKey));
        Assert.True(await claims.TryClaimAsync(Guid.NewGuid().ToString()));
        Assert.False(await claims.TryClaimAsync(null));
        Assert.False(await claims.TryClaimAsync("not-a-form-key"));
    }

    private sealed record SignInForm(string Token, string AntiforgeryCookie);

    private sealed record ConsoleSignIn(string Token, string Cookie, string Body);

    private static HttpClient Client(LoopbackHost host) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = host.Address };

    private static Task<string> KeyAsync(LoopbackHost host) =>
        ApiKeyStore.CreateAsync(host.Services.GetRequiredService<IDocumentStore>(),
            new ApiKeyRequest("console test", ProviderEnvironment.Sandbox, CallerClass.Internal, Scopes.All, null, []), TimeProvider.System);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string path, string? cookie = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return await http.SendAsync(request);
    }

    private static async Task<SignInForm> SignInFormAsync(HttpClient http)
    {
        using var form = await http.GetAsync("/console/sign-in");
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        var token = AntiforgeryField().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        Assert.NotEmpty(token);
        return new SignInForm(token, form.Headers.GetValues("Set-Cookie").First().Split(';')[0]);
    }

    private static HttpRequestMessage SignInRequest(SignInForm form, string key, string? returnUrl)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/console/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "sign-in", ["__RequestVerificationToken"] = form.Token, ["Key"] = key, ["ReturnUrl"] = returnUrl ?? ""
            })
        };
        request.Headers.Add("Cookie", form.AntiforgeryCookie);
        return request;
    }

    private static async Task<ConsoleSignIn> SignInAsync(HttpClient http, string key)
    {
        var form = await SignInFormAsync(http);
        using var signedIn = await http.SendAsync(SignInRequest(form, key, null));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("raffssync_console="));
        return new ConsoleSignIn(cookie["raffssync_console=".Length..], cookie + "; " + form.AntiforgeryCookie, await signedIn.Content.ReadAsStringAsync());
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
