using System.Text.RegularExpressions;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using RaffsSync.Api.Tests.Harness;
using RaffsSync.Api.WebConsole;

namespace RaffsSync.Api.Tests.Console;

/// <summary>The console over plain HTTP: what a copied cookie, a stale form, a bad query or a restart do.</summary>
public sealed partial class ConsoleHttpTests
{
    [Fact]
    public async Task a_sign_in_form_served_before_a_restart_is_accepted_after_it()
    {
        var database = await OwnDatabase.CreateAsync();
        string key;
        SignInForm form;
        await using (var before = await database.StartHostAsync())
        {
            key = await before.CreateInternalKeyAsync();
            form = await SignInFormAsync(before);
            // In the database, not only in a folder this machine happens to share between the two hosts.
            await using var query = before.Services.GetRequiredService<IDocumentStore>().QuerySession();
            Assert.NotEmpty(await query.Query<DataProtectionKey>().ToListAsync());
        }

        await using var after = await database.StartHostAsync();
        var signedIn = await after.Scenario(s => { PostSignIn(s, form, key, "/console/audit"); s.StatusCodeShouldBe(302); });
        Assert.EndsWith("/console/audit", signedIn.Context.Response.Headers.Location.ToString());
        Assert.Contains("raffssync_console=rscs_", signedIn.Context.Response.Headers.SetCookie.ToString());
    }

    [Fact]
    public async Task a_session_token_works_only_in_the_console_and_an_api_key_header_does_not_open_it()
    {
        await using var host = await (await OwnDatabase.CreateAsync()).StartHostAsync();
        var key = await host.CreateInternalKeyAsync();
        var session = await SignInAsync(host, key);

        await host.Scenario(s => { s.Get.Url("/console/dispatches"); s.WithRequestHeader("Cookie", session.Cookie); s.StatusCodeShouldBeOk(); });
        // The cookie's value copied into an API client is refused: it could otherwise mint keys that outlive the session.
        await host.Scenario(s => { s.Get.Url("/api/v1/api-keys"); s.WithRequestHeader("Authorization", "Bearer " + session.Token); s.StatusCodeShouldBe(401); });
        await host.Scenario(s => { s.Get.Url("/api/v1/api-keys"); s.WithRequestHeader("Cookie", session.Cookie); s.StatusCodeShouldBe(401); });
        var withKey = await host.Scenario(s => { s.Get.Url("/console/dispatches"); s.WithRequestHeader("Authorization", "Bearer " + key); s.StatusCodeShouldBe(302); });
        Assert.StartsWith("/console/sign-in", withKey.Context.Response.Headers.Location.ToString());
    }

    [Fact]
    public async Task a_stale_form_or_a_bad_page_number_is_answered_as_a_page_not_a_500_and_the_key_is_never_echoed()
    {
        await using var host = await (await OwnDatabase.CreateAsync()).StartHostAsync();
        var key = await host.CreateInternalKeyAsync();
        var session = await SignInAsync(host, key);

        var stale = await host.Scenario(s =>
        {
            s.Post.FormData(new Dictionary<string, string> { ["_handler"] = "sign-out" }).ToUrl("/console/sign-out");
            s.WithRequestHeader("Cookie", session.Cookie);
            s.StatusCodeShouldBe(400);
        });
        Assert.Contains("This form has expired", await stale.ReadAsTextAsync());
        Assert.StartsWith("text/html", stale.Context.Response.ContentType);
        // Refused, so the session still works.
        await host.Scenario(s => { s.Get.Url("/console/dispatches"); s.WithRequestHeader("Cookie", session.Cookie); s.StatusCodeShouldBeOk(); });

        foreach (var page in new[] { "abc", "1.5", "99999999999", "-3" })
            await host.Scenario(s => { s.Get.Url($"/console/dispatches?page={page}"); s.WithRequestHeader("Cookie", session.Cookie); s.StatusCodeShouldBeOk(); });

        var form = await SignInFormAsync(host);
        var refused = await host.Scenario(s => { PostSignIn(s, form, key[..^1] + (key[^1] == 'a' ? 'b' : 'a'), null); s.StatusCodeShouldBe(401); });
        Assert.DoesNotContain(key[..^1], await refused.ReadAsTextAsync());
        Assert.DoesNotContain(key, session.Body);
    }

    private sealed record SignInForm(string Token, string AntiforgeryCookie);

    private sealed record ConsoleSignIn(string Token, string Cookie, string Body);

    private static async Task<SignInForm> SignInFormAsync(IAlbaHost host)
    {
        var form = await host.Scenario(s => { s.Get.Url("/console/sign-in"); s.StatusCodeShouldBeOk(); });
        var token = AntiforgeryField().Match(await form.ReadAsTextAsync()).Groups[1].Value;
        Assert.NotEmpty(token);
        return new SignInForm(token, form.Context.Response.Headers.SetCookie.ToString().Split(';')[0]);
    }

    private static void PostSignIn(Scenario s, SignInForm form, string key, string? returnUrl)
    {
        s.Post.FormData(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in", ["__RequestVerificationToken"] = form.Token, ["Key"] = key, ["ReturnUrl"] = returnUrl ?? ""
        }).ToUrl("/console/sign-in");
        s.WithRequestHeader("Cookie", form.AntiforgeryCookie);
    }

    private static async Task<ConsoleSignIn> SignInAsync(IAlbaHost host, string key)
    {
        var form = await SignInFormAsync(host);
        var signedIn = await host.Scenario(s => { PostSignIn(s, form, key, null); s.StatusCodeShouldBe(302); });
        var cookie = signedIn.Context.Response.Headers.SetCookie.Select(c => c!.Split(';')[0]).Single(c => c.StartsWith("raffssync_console="));
        return new ConsoleSignIn(cookie["raffssync_console=".Length..], cookie + "; " + form.AntiforgeryCookie, await signedIn.ReadAsTextAsync());
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
