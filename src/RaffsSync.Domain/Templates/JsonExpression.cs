using DevLab.JmesPath;

namespace RaffsSync.Domain.Templates;

/// <summary>
/// JMESPath (jmespath.org): a query language over one JSON document. It can only read the
/// document it is given, which is what makes it safe for user-written mappings.
/// </summary>
public static class JsonExpression
{
    private static readonly JmesPath Engine = new();

    public static bool TryParse(string expression, out string? problem)
    {
        try
        {
            Engine.Parse(expression);
            problem = null;
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problem = e.Message;
            return false;
        }
    }

    /// <summary>Evaluates against a JSON document; the result is JSON text (<c>null</c> when nothing matched).</summary>
    public static string Evaluate(string expression, string json) => Engine.Transform(json, expression);
}
