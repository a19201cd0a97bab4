namespace RaffsSync.Api.Tests.Harness;

/// <summary>Waits for something asynchronous (a retry, a job, another host) to become true, or fails saying what it waited for.</summary>
public static class Eventually
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds} s for {what}.");
            await Task.Delay(100);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);
}
