using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using RaffsSync.Api.Access;
using RaffsSync.Api.Infrastructure.Http;
using RaffsSync.Domain;
using RaffsSync.Domain.Access;
using Wolverine.Http;

namespace RaffsSync.Api.Infrastructure.OpenApi;

/// <summary>
/// Completes each operation from what the endpoint is: its authorization (security, scopes, 401/403/429),
/// its inputs (query parameters, body example, 400/404/413/415), its idempotency, and the headers every
/// response carries. Errors all reference one <see cref="Problem"/> schema.
/// </summary>
public sealed class OperationContract(IOptions<JsonOptions> json) : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        await ContractComponents.EnsureAsync(document, context, cancellationToken);

        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
        var authenticated = policies.Count > 0 && !metadata.OfType<IAllowAnonymous>().Any();
        var parameters = context.Description.ParameterDescriptions;
        var hasPath = parameters.Any(p => p.Source == BindingSource.Path);
        var hasBody = operation.RequestBody is not null;
        var query = metadata.OfType<IQueryStringMetadata>().SelectMany(q => q.Parameters).ToList();

        if (operation.Description == operation.OperationId) operation.Description = null;
        DescribeAccess(operation, document, policies, authenticated);
        AddQueryParameters(operation, query);
        AddRequestHeaders(operation, document, metadata);
        await DocumentBodyAsync(operation, context, cancellationToken);
        AddBodyExample(operation, context);
        foreach (var amendment in metadata.OfType<IOperationAmendment>())
            await amendment.AmendAsync(operation, context, cancellationToken);

        // Any operation: the input guard checks every query string (400), requests are rate-limited, anonymous ones
        // per client address (429), and any may fail (500) or find PostgreSQL unreachable (503).
        var refusals = new SortedSet<int>(metadata.OfType<ProblemResponsesAttribute>().SelectMany(p => p.Statuses)) { 400, 429, 500, 503 };
        if (hasPath) refusals.Add(404);
        if (hasBody) { refusals.Add(406); refusals.Add(413); refusals.Add(415); }
        if (authenticated) { refusals.Add(401); refusals.Add(403); }

        BoundPathParameters(operation);
        var responses = operation.Responses ?? new OpenApiResponses();
        // Wolverine describes a 404 on endpoints that cannot give one (no identifier in the path, none declared).
        if (!refusals.Contains(404)) responses.Remove("404");
        foreach (var status in refusals)
            responses.TryAdd(status.ToString(), new OpenApiResponse());
        operation.Responses = new OpenApiResponses();
        foreach (var (code, response) in responses.OrderBy(r => r.Key, StringComparer.Ordinal))
            operation.Responses.Add(code, response);

        var ownBodies = context.Description.SupportedResponseTypes
            .Where(r => r.StatusCode >= 400 && r.Type is { } type && type != typeof(void) && !typeof(Microsoft.AspNetCore.Mvc.ProblemDetails).IsAssignableFrom(type))
            .ToList();
        foreach (var (code, response) in operation.Responses.ToList())
        {
            if (response is not OpenApiResponse concrete) continue;
            var status = int.Parse(code);
            if (status >= 400)
                DescribeRefusal(concrete, status, document, refusals.Contains(status), ownBodies.FirstOrDefault(r => r.StatusCode == status),
                    metadata.OfType<Microsoft.AspNetCore.Mvc.ProducesResponseTypeAttribute>().FirstOrDefault(a => a.StatusCode == status)?.Description);
            concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
            concrete.Headers[RequestId.Header] = new OpenApiHeaderReference(RequestId.Header, document);
            concrete.Headers[ContractComponents.AllowOrigin] = new OpenApiHeaderReference(ContractComponents.AllowOrigin, document);
            foreach (var header in ContractComponents.RateLimitHeaders)
                concrete.Headers[header] = new OpenApiHeaderReference(header, document);
            if (status is 429 or 503) concrete.Headers["Retry-After"] = new OpenApiHeaderReference("Retry-After", document);
            if (status is 201 or 202) concrete.Headers["Location"] = new OpenApiHeaderReference("Location", document);
        }
    }

    /// <summary>Path identifiers have the documented lengths the input guard enforces on them.</summary>
    private static void BoundPathParameters(OpenApiOperation operation)
    {
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Path))
        {
            if (parameter.Schema is OpenApiSchema { Type: JsonSchemaType.String } schema)
                schema.MaxLength ??= IdentifierLimits.MaxLengthOf(System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(parameter.Name ?? ""))
                                     ?? IdentifierLimits.QueryValue;
        }
    }

    private static void DescribeAccess(OpenApiOperation operation, OpenApiDocument document, List<string> policies, bool authenticated)
    {
        if (!authenticated)
        {
            // Explicitly open (an empty requirement): the operation authenticates by what it is sent, if at all.
            operation.Security = [new OpenApiSecurityRequirement()];
            return;
        }

        var scopes = policies.Where(Scopes.IsKnown).Distinct().ToList();
        operation.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ContractComponents.ApiKeyScheme, document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ContractComponents.OAuthScheme, document)] = scopes }
        ];

        var classes = policies.Contains(CallerPolicies.Internal) ? "internal callers only"
            : policies.Contains(CallerPolicies.CustomerOrInternal) ? "customer and internal callers (partners get 403 caller_class_forbidden)"
            : "customer, internal and partner callers";
        var access = (scopes.Count > 0 ? $"Requires scope {string.Join(" and ", scopes.Select(s => $"`{s}`"))}; " : "") + classes + ".";
        operation.Description = string.IsNullOrWhiteSpace(operation.Description) ? access : $"{operation.Description.TrimEnd()}\n\n{access}";
    }

    private static void AddQueryParameters(OpenApiOperation operation, List<QueryParameter> query)
    {
        if (query.Count == 0) return;
        operation.Parameters ??= [];
        foreach (var parameter in query)
        {
            var schema = parameter.Type switch
            {
                QueryValue.Integer => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                QueryValue.Long => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Maximum = long.MaxValue.ToString() },
                QueryValue.DateTime => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time", MaxLength = 64 },
                QueryValue.Date => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date", MaxLength = 10 },
                _ => new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = parameter.MaxLength }
            };
            if (parameter.Minimum is { } min) schema.Minimum = min.ToString();
            if (parameter.Maximum is { } max) schema.Maximum = max.ToString();
            if (parameter.Default is { } value) schema.Default = parameter.Type == QueryValue.Integer ? JsonValue.Create(int.Parse(value)) : JsonValue.Create(value);
            if (parameter.Enum is { } values)
            {
                if (parameter.CommaSeparated) schema.Pattern = $"^({string.Join("|", values.Select(System.Text.RegularExpressions.Regex.Escape))})(,({string.Join("|", values.Select(System.Text.RegularExpressions.Regex.Escape))}))*$";
                else schema.Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
            }
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = parameter.Name,
                In = ParameterLocation.Query,
                Description = parameter.Description
                              + (parameter.CommaSeparated ? " Several values: comma-separated." : "")
                              + (parameter.Filter ? $" Also spelled `{parameter.Spellings.Last()}`." : ""),
                Required = false,
                Schema = schema
            });
        }
    }

    private static void AddRequestHeaders(OpenApiOperation operation, OpenApiDocument document, IList<object> metadata)
    {
        operation.Parameters ??= [];
        if (!operation.Parameters.Any(p => p.Name == RequestId.Header))
            operation.Parameters.Add(new OpenApiParameterReference(RequestId.Header, document));
        if (metadata.OfType<DeduplicatedWithResponseAttribute>().Any() && !operation.Parameters.Any(p => p.Name == IdempotencyReplay.KeyHeader))
            operation.Parameters.Add(new OpenApiParameterReference(IdempotencyReplay.KeyHeader, document));
        foreach (var ifMatch in operation.Parameters.OfType<OpenApiParameter>().Where(p => p.Name == "If-Match"))
            ifMatch.Description = "The route version last read, as an entity tag (\"3\"); the same as the body's `version`.";
    }

    /// <summary>A body the endpoint reads as raw JSON (to report every field problem at once) is documented as the type it is read into.</summary>
    private static async Task DocumentBodyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellation)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IDocumentedBody>().FirstOrDefault() is not { } documented) return;
        var document = context.Document!;
        var name = documented.SchemaName;
        if (document.Components?.Schemas?.ContainsKey(name) != true)
            document.AddComponent(name, await context.GetOrCreateSchemaAsync(documented.BodyType, null, cancellation));
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = documented.Description,
            Content = documented.ContentTypes.ToDictionary(type => type, _ => new OpenApiMediaType { Schema = new OpenApiSchemaReference(name, document) })
        };
    }

    private JsonSerializerOptions ExampleOptions => _exampleOptions ??= new JsonSerializerOptions(json.Value.SerializerOptions)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull
    };

    private JsonSerializerOptions? _exampleOptions;

    private void AddBodyExample(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var bodyType = context.Description.ParameterDescriptions.FirstOrDefault(p => p.Source == BindingSource.Body)?.Type;
        var documented = context.Description.ActionDescriptor.EndpointMetadata.OfType<IDocumentedBody>().FirstOrDefault();
        var exampleSource = ExampleOf(documented?.BodyType ?? bodyType);
        if (exampleSource is null || operation.RequestBody?.Content is not { } content) return;
        var example = JsonSerializer.SerializeToNode(exampleSource, exampleSource.GetType(), ExampleOptions);
        foreach (var media in content.Values) media.Example = example;
    }

    private static object? ExampleOf(Type? type) =>
        type is not null && type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IExample<>))
            ? type.GetProperty("Example", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)?.GetValue(null)
            : null;

    /// <summary>
    /// A refusal is a <see cref="Problem"/>. One the endpoint answers in a body of its own, declared with
    /// <c>[ProducesResponseType&lt;T&gt;(status, contentType)]</c> (the token endpoint's RFC 6749 errors), keeps that body,
    /// and is a problem too only where the pipeline also answers that status (a status the endpoint's shape or
    /// <see cref="ProblemResponsesAttribute"/> gives).
    /// </summary>
    private static void DescribeRefusal(OpenApiResponse response, int status, OpenApiDocument document, bool problem, ApiResponseType? own,
        string? ownDescription)
    {
        response.Description = ownDescription ?? ContractComponents.RefusalDescriptions.GetValueOrDefault(status, response.Description ?? "Error");
        var content = new Dictionary<string, OpenApiMediaType>();
        foreach (var format in own?.ApiResponseFormats ?? [])
            if (response.Content?.TryGetValue(format.MediaType, out var media) == true) content[format.MediaType] = media;
        if (problem || content.Count == 0)
            content["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ContractComponents.ProblemSchema, document) };
        response.Content = content;
    }
}
