using Alba;

namespace RaffsSync.Api.Tests.Harness;

public static class HostExtensions
{
    public static async Task<T> GetAsJson<T>(this IAlbaHost host, string url, string key)
    {
        var result = await host.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithRequestHeader("Authorization", $"Bearer {key}");
            s.StatusCodeShouldBeOk();
        });
        return (await result.ReadAsJsonAsync<T>())!;
    }
}
