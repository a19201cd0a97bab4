using System.Text.Json.Nodes;

namespace RaffsSync.Api.Tests.Contract;

/// <summary>
/// The changes to an OpenAPI document that break a client written against the earlier one: a removed
/// path, operation, parameter, success response, response field or enum value; a changed or narrowed
/// type; a new required parameter or request field. Adding anything else is compatible.
/// </summary>
public static class OpenApiCompatibility
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    private enum Direction { Request, Response }

    public static IReadOnlyList<string> BreakingChanges(JsonNode earlier, JsonNode later)
    {
        var breaks = new List<string>();
        var oldPaths = earlier["paths"]?.AsObject() ?? [];
        var newPaths = later["paths"]?.AsObject() ?? [];

        foreach (var (path, oldItem) in oldPaths)
        {
            if (newPaths[path] is not JsonObject newItem)
            {
                breaks.Add($"{path}: path removed");
                continue;
            }
            foreach (var method in Methods)
            {
                if (oldItem?[method] is not JsonObject oldOperation) continue;
                var where = $"{method.ToUpperInvariant()} {path}";
                if (newItem[method] is not JsonObject newOperation)
                {
                    breaks.Add($"{where}: operation removed");
                    continue;
                }
                var pair = new Comparison(earlier, later, breaks);
                pair.Parameters(where, oldItem, oldOperation, newItem, newOperation);
                pair.RequestBody(where, oldOperation["requestBody"], newOperation["requestBody"]);
                pair.Responses(where, oldOperation["responses"]?.AsObject(), newOperation["responses"]?.AsObject());
            }
        }
        return breaks;
    }

    private sealed class Comparison(JsonNode earlier, JsonNode later, List<string> breaks)
    {
        private readonly HashSet<(string, string, Direction)> _compared = [];

        public void Parameters(string where, JsonNode oldItem, JsonObject oldOperation, JsonNode newItem, JsonObject newOperation)
        {
            var before = ParametersOf(earlier, oldItem, oldOperation);
            var after = ParametersOf(later, newItem, newOperation);
            foreach (var ((name, location), parameter) in before)
            {
                if (!after.TryGetValue((name, location), out var current))
                {
                    breaks.Add($"{where}: {location} parameter '{name}' removed");
                    continue;
                }
                if (current["required"]?.GetValue<bool>() == true && parameter["required"]?.GetValue<bool>() != true)
                    breaks.Add($"{where}: {location} parameter '{name}' became required");
                Schemas($"{where} {location} parameter '{name}'", parameter["schema"], current["schema"], Direction.Request);
            }
            foreach (var ((name, location), parameter) in after)
                if (!before.ContainsKey((name, location)) && parameter["required"]?.GetValue<bool>() == true)
                    breaks.Add($"{where}: new required {location} parameter '{name}'");
        }

        public void RequestBody(string where, JsonNode? before, JsonNode? after)
        {
            before = Resolve(earlier, before);
            after = Resolve(later, after);
            if (after is null) return;
            if (before is null)
            {
                if (after["required"]?.GetValue<bool>() == true) breaks.Add($"{where}: new required request body");
                return;
            }
            foreach (var (mediaType, media) in before["content"]?.AsObject() ?? [])
            {
                if (after["content"]?[mediaType] is not { } current)
                {
                    breaks.Add($"{where}: request body no longer accepts {mediaType}");
                    continue;
                }
                Schemas($"{where} request body", media?["schema"], current["schema"], Direction.Request);
            }
        }

        public void Responses(string where, JsonObject? before, JsonObject? after)
        {
            foreach (var (status, response) in before ?? [])
            {
                if (!status.StartsWith('2')) continue;
                if (after?[status] is not { } current)
                {
                    breaks.Add($"{where}: {status} response removed");
                    continue;
                }
                var oldContent = Resolve(earlier, response)?["content"]?.AsObject() ?? [];
                var newContent = Resolve(later, current)?["content"]?.AsObject();
                foreach (var (mediaType, media) in oldContent)
                {
                    if (newContent?[mediaType] is not { } currentMedia)
                    {
                        breaks.Add($"{where}: {status} response no longer {mediaType}");
                        continue;
                    }
                    Schemas($"{where} {status} response", media?["schema"], currentMedia["schema"], Direction.Response);
                }
            }
        }

        private void Schemas(string where, JsonNode? before, JsonNode? after, Direction direction)
        {
            if (before is null || after is null) return;
            var oldRef = before["$ref"]?.GetValue<string>();
            var newRef = after["$ref"]?.GetValue<string>();
            if (oldRef is not null && newRef is not null && !_compared.Add((oldRef, newRef, direction))) return;
            before = Resolve(earlier, before)!;
            after = Resolve(later, after)!;

            var oldType = before["type"]?.ToString();
            var newType = after["type"]?.ToString();
            // An untyped enum of strings already was a string: saying so narrows nothing.
            var statedEnumType = oldType is null && newType == "string" && before["enum"] is JsonArray names
                                 && names.All(n => n?.GetValueKind() == System.Text.Json.JsonValueKind.String);
            if (oldType != newType && !statedEnumType && !(oldType == "integer" && newType == "number" && direction == Direction.Request))
                breaks.Add($"{where}: type {oldType ?? "any"} became {newType ?? "any"}");

            if (before["enum"] is JsonArray oldEnum)
            {
                var current = (after["enum"] as JsonArray)?.Select(v => v?.ToJsonString()).ToHashSet();
                foreach (var value in oldEnum.Select(v => v?.ToJsonString()))
                    if (current is not null && !current.Contains(value)) breaks.Add($"{where}: enum value {value} removed");
            }
            else if (after["enum"] is not null && direction == Direction.Request)
                breaks.Add($"{where}: narrowed to an enum");

            if (direction == Direction.Request)
            {
                Narrowed(where, before, after, "maxLength", larger: false);
                Narrowed(where, before, after, "maximum", larger: false);
                Narrowed(where, before, after, "maxItems", larger: false);
                Narrowed(where, before, after, "minLength", larger: true);
                Narrowed(where, before, after, "minimum", larger: true);
                Narrowed(where, before, after, "minItems", larger: true);
                if (after["pattern"] is { } pattern && pattern.ToString() != before["pattern"]?.ToString())
                    breaks.Add($"{where}: pattern {pattern} is new or changed");
                if (before["nullable"]?.GetValue<bool>() == true && after["nullable"]?.GetValue<bool>() != true)
                    breaks.Add($"{where}: no longer nullable");

                var wasRequired = Names(before["required"]);
                foreach (var name in Names(after["required"]).Except(wasRequired))
                    breaks.Add($"{where}: new required field '{name}'");
            }

            var newProperties = after["properties"]?.AsObject();
            foreach (var (name, property) in before["properties"]?.AsObject() ?? [])
            {
                if (newProperties?[name] is { } current) Schemas($"{where}.{name}", property, current, direction);
                else if (direction == Direction.Response) breaks.Add($"{where}: field '{name}' removed");
            }
            Schemas($"{where}[]", before["items"], after["items"], direction);
            if (before["additionalProperties"] is JsonObject oldValues && after["additionalProperties"] is JsonObject newValues)
                Schemas($"{where}{{}}", oldValues, newValues, direction);
        }

        private void Narrowed(string where, JsonNode before, JsonNode after, string keyword, bool larger)
        {
            if (after[keyword] is not { } current) return;
            var now = Number(current);
            if (before[keyword] is not { } earlierValue)
            {
                breaks.Add($"{where}: new {keyword} {now}");
                return;
            }
            var then = Number(earlierValue);
            if (larger ? now > then : now < then) breaks.Add($"{where}: {keyword} {then} became {now}");
        }

        private static decimal Number(JsonNode value) =>
            decimal.Parse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);

        private static IEnumerable<string> Names(JsonNode? array) =>
            (array as JsonArray)?.Select(n => n?.GetValue<string>()).OfType<string>() ?? [];

        private static Dictionary<(string, string), JsonNode> ParametersOf(JsonNode document, JsonNode item, JsonNode operation) =>
            (item["parameters"] as JsonArray ?? []).Concat(operation["parameters"] as JsonArray ?? [])
                .Select(p => Resolve(document, p)).OfType<JsonNode>()
                .GroupBy(p => (p["name"]!.GetValue<string>(), p["in"]!.GetValue<string>()))
                .ToDictionary(g => g.Key, g => g.Last());
    }

    /// <summary>Follows a local <c>$ref</c> (<c>#/components/...</c>) to what it names.</summary>
    private static JsonNode? Resolve(JsonNode document, JsonNode? node)
    {
        for (var hops = 0; node?["$ref"]?.GetValue<string>() is { } reference && hops < 32; hops++)
            node = reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries)
                .Aggregate((JsonNode?)document, (current, segment) => current?[segment.Replace("~1", "/").Replace("~0", "~")]);
        return node;
    }
}
