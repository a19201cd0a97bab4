using System.Text.RegularExpressions;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using RaffsSync.Api.WebConsole;
using RaffsSync.Api.Tests.Harness;

namespace RaffsSync.Api.Tests.Console;

/// <summary>The antiforgery keys live in PostgreSQL: a form served before a restart (or by another node) still posts.</summary>
public sealed partial class ConsoleKeyRingTests
{
    [Fact]
    public async Task a_sign_in_form_served_before_a_restart_is_accepted_after_it()
    {
        var database = await OwnDatabase.CreateAsync();
        string key, token, antiforgeryCookie;
        await using (var before = await database.StartHostAsync())
        {
            key = await before.CreateInternalKeyAsync();
            var form = await before.Scenario(s => { s.Get.Url("/console/sign-in"); s.StatusCodeShouldBeOk(); });
            token = AntiforgeryField().Match(await form.ReadAsTextAsync()).Groups[1].Value;
            antiforgeryCookie = form.Context.Response.Headers.SetCookie.ToString().Split(';')[0];
            Assert.NotEmpty(token);
            // In the database, not only in a folder this machine happens to share between the two hosts.
            await using var query = before.Services.GetRequiredService<IDocumentStore>().QuerySession();
            Assert.NotEmpty(await query.Query<DataProtectionKey>().ToListAsync());
        }

        await using var after = await database.StartHostAsync();
        var signedIn = await after.Scenario(s =>
        {
            s.Post.FormData(new Dictionary<string, string>
            {
                ["_handler"] = "sign-in", ["__RequestVerificationToken"] = token, ["Key"] = key, ["ReturnUrl"] = "/console/audit"
            }).ToUrl("/console/sign-in");
            s.WithRequestHeader("Cookie", antiforgeryCookie);
            s.StatusCodeShouldBe(302);
        });
        Assert.EndsWith("/console/audit", signedIn.Context.Response.Headers.Location.ToString());
        Assert.Contains("raffssync_console=rscs_", signedIn.Context.Response.Headers.SetCookie.ToString());
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
