namespace RaffsSync.Api.Infrastructure;

public static class ExceptionChain
{
    /// <summary>The first exception of type <typeparamref name="T"/> in the chain of inner exceptions (libraries wrap what they catch).</summary>
    public static T? Find<T>(this Exception? exception) where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }
}
