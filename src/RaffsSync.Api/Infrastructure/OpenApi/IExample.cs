namespace RaffsSync.Api.Infrastructure.OpenApi;

/// <summary>A request type with an example for the document (serialized with the API's JSON options).</summary>
public interface IExample<out T>
{
    static abstract T Example { get; }
}
