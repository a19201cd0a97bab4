using System.Text.Json;

namespace RaffsSync.Domain;

public static class EnumNames
{
    /// <summary>An enum value as the API and the audit log spell it: <c>DeadLettered</c> is <c>dead_lettered</c>.</summary>
    public static string Snake<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
