using Alba;
using Microsoft.Extensions.Hosting;
using Wolverine.Tracking;

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

    /// <summary>
    /// Runs <paramref name="action"/> and waits until every message it caused has been handled, those that travel
    /// through the shared work queues (tables in the database) included.
    /// </summary>
    public static Task WaitForWorkAsync(this IHost host, Func<Task> action) =>
        host.TrackActivity().IncludeExternalTransports().Timeout(TimeSpan.FromSeconds(60))
            .ExecuteAndWaitAsync((Func<Wolverine.IMessageContext, Task>)(_ => action()));
}
