using System.Globalization;

namespace RaffsSync.Api.WebConsole;

/// <summary>One line of a chart: a value per day, null where the day had nothing to measure.</summary>
public sealed record ChartSeries(string Name, string CssClass, IReadOnlyList<double?> Values);

/// <summary>
/// The geometry of a server-rendered SVG line chart over days: where each value lands, the runs of days with values (drawn as
/// lines), and the axis ticks. Pure, so the page only draws what this computes.
/// </summary>
public sealed record LineChart(IReadOnlyList<DateOnly> Days, IReadOnlyList<ChartSeries> Series, double Max, string Unit)
{
    public const int Width = 640, Height = 200, Left = 56, Right = 12, Top = 10, Bottom = 28;

    public double X(int day) => Left + (Days.Count <= 1 ? (Width - Left - Right) / 2.0 : day * (Width - Left - Right) / (double)(Days.Count - 1));

    public double Y(double value) => Top + (Height - Top - Bottom) * (1 - Math.Clamp(value / Max, 0, 1));

    public IReadOnlyList<double> Ticks => [0, Max / 2, Max];

    /// <summary>The polyline points of each run of consecutive days that have a value.</summary>
    public IEnumerable<string> Runs(ChartSeries series)
    {
        var run = new List<string>();
        for (var day = 0; day < series.Values.Count; day++)
        {
            if (series.Values[day] is { } value) run.Add($"{Number(X(day))},{Number(Y(value))}");
            else if (run.Count > 0) { yield return string.Join(' ', run); run.Clear(); }
        }
        if (run.Count > 0) yield return string.Join(' ', run);
    }

    /// <summary>The first, middle and last day, to label the time axis without crowding it.</summary>
    public IEnumerable<int> LabelledDays => Days.Count switch
    {
        0 => [],
        1 => [0],
        2 => [0, 1],
        _ => new[] { 0, (Days.Count - 1) / 2, Days.Count - 1 }.Distinct()
    };

    /// <summary>A round top for the value axis at or above the largest value (1, 2 or 5 times a power of ten).</summary>
    public static double NiceMax(double largest)
    {
        if (largest <= 0 || double.IsNaN(largest)) return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(largest)));
        foreach (var step in new[] { 1, 2, 5, 10 })
            if (step * magnitude >= largest) return step * magnitude;
        return 10 * magnitude;
    }

    public static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
