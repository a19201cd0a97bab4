using System.Text.Json;

namespace RaffsSync.Api.Infrastructure.Http;

public static class ApiNames
{
    /// <summary>An enum value as the API spells it: <c>DeadLettered</c> is <c>dead_lettered</c>.</summary>
    public static string Snake<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
