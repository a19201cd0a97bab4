using System.Text.Json;
using System.Text.RegularExpressions;

namespace RaffsSync.Domain.Templates;

/// <summary><c>{{path}}</c> placeholders inside a string, replaced by scalar values from a <see cref="TemplateContext"/>.</summary>
public static partial class StringTemplate
{
    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\s*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>The paths a template reads, or null when it has a placeholder that is not a plain path.</summary>
    public static IReadOnlyList<string>? Placeholders(string template)
    {
        var paths = Placeholder().Matches(template).Select(m => m.Groups[1].Value).ToArray();
        return Placeholder().Replace(template, "").Contains("{{", StringComparison.Ordinal) ? null : paths;
    }

    public static string Render(string template, TemplateContext context, string templatePath,
        Func<string, string>? encode = null)
    {
        var rendered = Placeholder().Replace(template, match =>
        {
            var path = match.Groups[1].Value;
            var value = context.Resolve(path)
                ?? throw new TemplateException(templatePath, $"'{path}' has no value.");
            var text = ScalarText(value)
                ?? throw new TemplateException(templatePath, $"'{path}' is not a string, number or boolean.");
            return encode is null ? text : encode(text);
        });

        if (rendered.Contains("{{", StringComparison.Ordinal))
            throw new TemplateException(templatePath, "The template has a placeholder that is not a plain path.");

        return rendered;
    }

    private static string? ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null
    };
}
