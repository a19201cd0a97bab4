namespace RaffsSync.Domain.Templates;

/// <summary>A template could not be rendered; <see cref="TemplatePath"/> names the failing field of the route.</summary>
public sealed class TemplateException(string templatePath, string message) : Exception(message)
{
    public string TemplatePath { get; } = templatePath;
}
