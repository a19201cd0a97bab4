using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using RaffsSync.Domain;
using RaffsSync.Domain.Inbound;
using RaffsSync.Domain.Registry;

namespace RaffsSync.Api.Registry;

/// <summary>
/// The registry's schemas say what its validation accepts: enums, bounds and patterns are read from
/// <see cref="RouteValidation"/> and <see cref="ProviderValidation"/>, the lists and limits those checks use, so the
/// document cannot drift from them. <see cref="RouteTemplate"/> is a route definition plus <c>version</c>, and a
/// <see cref="RoutePack"/> refers to the provider and route schemas the other writes take.
/// </summary>
public sealed class RegistrySchemas : IOpenApiSchemaTransformer, IOpenApiDocumentTransformer
{
    /// <summary>What <c>XmlConvert.ToTimeSpan</c> reads (an XSD duration) and validation accepts (greater than zero, so no sign).</summary>
    private const string DurationPattern = @"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$";

    private static readonly Dictionary<Type, Action<OpenApiSchema>> Rules = new()
    {
        [typeof(RouteDefinition)] = route =>
        {
            Enum(route, "kind", RouteValidation.Kinds);
            StatusCodes(route, "success");
            Duration(route, "timeout");
            // Answered with every route, never read from a body.
            Property(route, "effective_timeout", timeout => timeout.ReadOnly = true);
            Property(route, "event", eventType => eventType.Pattern = InboundEventTypes.Pattern);
        },
        [typeof(ChainTarget)] = chain =>
        {
            Property(chain, "provider", key => key.Pattern = RouteValidation.KeyPattern);
            Property(chain, "route_key", key => key.Pattern = RouteValidation.KeyPattern);
        },
        [typeof(ForwardTarget)] = forward => Property(forward, "event_type", type =>
        {
            type.Pattern = @"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$";
            type.MaxLength = 200;
        }),
        [typeof(InboundSettings)] = inbound =>
        {
            Duration(inbound, "dedupe_window");
            Property(inbound, "event_type", expression => expression.MaxLength = InboundExpression.MaxLength);
            Property(inbound, "event_id", expression => expression.MaxLength = InboundExpression.MaxLength);
        },
        [typeof(SignatureScheme)] = signature =>
        {
            Enum(signature, "type", SignatureScheme.Types);
            Enum(signature, "encoding", SignatureScheme.Encodings);
            Duration(signature, "tolerance");
            Property(signature, "header", header => header.Pattern = RouteValidation.HeaderNamePattern);
            Property(signature, "timestamp_header", header => header.Pattern = RouteValidation.HeaderNamePattern);
            Property(signature, "prefix", prefix => prefix.MaxLength = ProviderValidation.MaxPrefixLength);
            Property(signature, "signed_content", content => content.MaxLength = ProviderValidation.MaxSignedContentLength);
            foreach (var credential in new[] { "secret", "username", "password" })
                Property(signature, credential, name => name.Pattern = RouteValidation.KeyPattern);
        },
        [typeof(RequestTemplate)] = request =>
        {
            // The method is checked (and sent) upper-cased, so any case is accepted.
            Property(request, "method", method =>
            {
                method.Pattern = AnyCase(RouteValidation.Methods);
                method.Description = $"{method.Description} One of {string.Join(", ", RouteValidation.Methods)}.".TrimStart();
            });
            Property(request, "path", path => path.Pattern = "^/");
            Property(request, "query", query => query.MaxProperties = RouteValidation.MaxQueryOrHeaders);
            Property(request, "headers", headers => headers.MaxProperties = RouteValidation.MaxQueryOrHeaders);
        },
        [typeof(AuthPlacement)] = auth =>
        {
            Enum(auth, "type", RouteValidation.AuthTypes);
            Enum(auth, "in", RouteValidation.ApiKeyPlacements);
            Property(auth, "token_url", url => url.Format = "uri");
        },
        [typeof(ErrorRule)] = rule =>
        {
            StatusCodes(rule, "status");
            Property(rule, "body_contains", text => text.MaxLength = RouteValidation.MaxBodyContainsLength);
            Enum(rule, "action", RouteValidation.Actions);
            Enum(rule, "failure_type", RouteValidation.FailureTypeSpellings);
            Duration(rule, "max_wait");
        },
        [typeof(Backoff)] = backoff =>
        {
            Enum(backoff, "strategy", RouteValidation.BackoffStrategies);
            Duration(backoff, "initial");
            Duration(backoff, "budget");
            Range(backoff, "max_attempts", 1, RouteValidation.MaxBackoffAttempts);
        },
        [typeof(Pagination)] = pagination =>
        {
            Enum(pagination, "style", RouteValidation.PaginationStyles);
            Range(pagination, "max_pages", 1, RouteValidation.MaxPages);
        },
        [typeof(RateLimit)] = rateLimit =>
        {
            Range(rateLimit, "requests", 1, null);
            Duration(rateLimit, "per");
        },
        [typeof(Reconcile)] = reconcile => Property(reconcile, "route_key", key => key.Pattern = RouteValidation.KeyPattern),
        [typeof(ProviderInput)] = provider =>
        {
            Enum(provider, "auth_kind", ProviderValidation.AuthKinds);
            RequiredAreNotNull(provider);
        },
        [typeof(ProviderChange)] = provider =>
        {
            Enum(provider, "auth_kind", ProviderValidation.AuthKinds);
            RequiredAreNotNull(provider);
        },
        [typeof(RoutePack)] = RequiredAreNotNull,
        // tenant_id (StringOrNumberConverter) is documented like every such field, by BoundedSchemas.
        [typeof(RenderRoute)] = RequiredAreNotNull
    };

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (Rules.TryGetValue(context.JsonTypeInfo.Type, out var rules)) rules(schema);
        return Task.CompletedTask;
    }

    // Schemas made or changed by a schema transformer are not turned into references (and the generator cannot follow a
    // reference to a component it has not made yet), so the parts that refer to other components are set once the whole
    // document is there.
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var schemas = document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>();
        if (schemas.TryGetValue(nameof(RouteTemplate), out var found) && found is OpenApiSchema template) ComposeRouteTemplate(template, document);
        if (schemas.TryGetValue(nameof(RoutePack), out found) && found is OpenApiSchema pack)
        {
            Property(pack, "provider", _ => pack.Properties!["provider"] = new OpenApiSchemaReference(nameof(ProviderInput), document));
            Property(pack, "routes", routes => routes.AdditionalProperties = new OpenApiSchemaReference(nameof(RouteTemplate), document));
        }
        return Task.CompletedTask;
    }

    /// <summary>A route definition (the component responses use too) and the version last read.</summary>
    private static void ComposeRouteTemplate(OpenApiSchema template, OpenApiDocument document)
    {
        // RouteBody.Parse reads the version as a JSON number only (no "1" strings, unlike the rest of the body).
        Property(template, "version", version =>
        {
            version.Type = JsonSchemaType.Integer | JsonSchemaType.Null;
            version.Format = "int32";
            version.Pattern = null;
            version.AnyOf = null;
        });
        var own = new OpenApiSchema { Type = JsonSchemaType.Object, Properties = template.Properties };
        template.Properties = null;
        template.Required = null;
        template.AllOf = [new OpenApiSchemaReference(nameof(RouteDefinition), document), own];
        template.Examples = [RouteTemplate.Example];
    }

    private static void StatusCodes(OpenApiSchema schema, string name) => Property(schema, name, codes =>
    {
        codes.MaxItems = RouteValidation.MaxStatusCodes;
        if (codes.Items is OpenApiSchema code) Bound(code, RouteValidation.MinStatusCode, RouteValidation.MaxStatusCode);
    });

    private static void Duration(OpenApiSchema schema, string name) => Property(schema, name, duration =>
    {
        duration.Format = "duration";
        duration.Pattern = DurationPattern;
    });

    private static void Range(OpenApiSchema schema, string name, int minimum, int? maximum) =>
        Property(schema, name, number => Bound(number, minimum, maximum));

    private static void Bound(OpenApiSchema number, int minimum, int? maximum)
    {
        number.Minimum = minimum.ToString();
        if (maximum is { } max) number.Maximum = max.ToString();
    }

    /// <summary>The members a body must have are refused as null too (their <c>Validate</c> says <c>required</c>).</summary>
    private static void RequiredAreNotNull(OpenApiSchema schema)
    {
        foreach (var name in schema.Required ?? new HashSet<string>())
            Property(schema, name, member => member.Type &= ~JsonSchemaType.Null);
    }

    /// <summary>An enum of the accepted values; a nullable member also accepts null (OpenAPI 3.0 wants it listed).</summary>
    private static void Enum(OpenApiSchema schema, string name, IEnumerable<string> values) => Property(schema, name, member =>
    {
        member.Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
        if (member.Type?.HasFlag(JsonSchemaType.Null) == true) member.Enum.Add(null!);
    });

    private static void Property(OpenApiSchema schema, string name, Action<OpenApiSchema> change)
    {
        if (schema.Properties?.TryGetValue(name, out var member) == true && member is OpenApiSchema concrete) change(concrete);
    }

    /// <summary>A pattern matching any of <paramref name="values"/> in any case (JSON Schema patterns have no flags).</summary>
    private static string AnyCase(IEnumerable<string> values) =>
        $"^(?:{string.Join("|", values.Select(value => string.Concat(value.Select(AnyCase))))})$";

    private static string AnyCase(char c) => char.IsLetter(c) ? $"[{char.ToUpperInvariant(c)}{char.ToLowerInvariant(c)}]" : Regex.Escape(c.ToString());
}
