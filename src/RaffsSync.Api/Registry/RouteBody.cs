using System.Text.Json;
using Microsoft.Extensions.Options;
using RaffsSync.Domain;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Registry;

/// <summary>
/// A route as written to <c>PUT .../routes/{route_key}</c>: the definition plus the <c>version</c>
/// the writer last saw. Type errors and schema errors both come back as field-level problems.
/// </summary>
public sealed record RouteBody(RouteDefinition? Definition, int? Version, IReadOnlyList<FieldError> Errors)
{
    public static RouteBody Parse(JsonElement body, JsonSerializerOptions json, string? routeKey = null)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return new RouteBody(null, null, [new FieldError("body", "invalid", "a JSON object")]);

        int? version = null;
        if (body.TryGetProperty("version", out var v) && v.ValueKind != JsonValueKind.Null)
        {
            if (!v.TryGetInt32(out var number))
                return new RouteBody(null, null, [new FieldError("version", "wrong_type", "a whole number")]);
            version = number;
        }

        RouteDefinition? definition;
        try
        {
            definition = body.Deserialize<RouteDefinition>(json);
        }
        catch (JsonException e)
        {
            return new RouteBody(null, version, [ApiJson.WrongType(e)]);
        }

        return new RouteBody(definition, version, RouteValidation.Validate(definition, routeKey));
    }

    /// <summary><c>If-Match: "3"</c> stands for <c>"version": 3</c>.</summary>
    public static int? IfMatchVersion(string? ifMatch) =>
        int.TryParse(ifMatch?.Trim().Trim('"'), out var version) ? version : null;
}

public static class ApiJson
{
    /// <summary>The field a deserialization failure points at (<c>$.request.headers.X</c> is <c>request.headers.X</c>).</summary>
    public static FieldError WrongType(JsonException e, string prefix = "")
    {
        var path = e.Path is null or "$" ? "" : e.Path.StartsWith("$.") ? e.Path[2..] : e.Path.TrimStart('$');
        var field = (prefix, path) switch
        {
            ("", "") => "body",
            (_, "") => prefix,
            ("", _) => path,
            _ => path.StartsWith('[') ? prefix + path : $"{prefix}.{path}"
        };
        return new FieldError(field, "wrong_type");
    }

    public static JsonSerializerOptions Options(this HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
}
