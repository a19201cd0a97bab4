namespace RaffsSync.Api.WebConsole;

/// <summary>One row of a side-by-side comparison: a line on the left, on the right, or both.</summary>
public sealed record DiffRow(string? Left, string? Right)
{
    public bool Same => Left == Right;
}

/// <summary>A side-by-side line comparison of two texts (two route versions' definitions), by longest common subsequence.</summary>
public static class LineDiff
{
    // Route definitions are tens of lines; the table is quadratic in lines, so very long texts are compared as a whole.
    private const int MaxLines = 2_000;

    public static IReadOnlyList<DiffRow> Compare(string left, string right)
    {
        var a = left.Split('\n');
        var b = right.Split('\n');
        if ((long)a.Length * b.Length > (long)MaxLines * MaxLines)
            return left == right ? a.Select(line => new DiffRow(line, line)).ToList() : [new DiffRow(left, right)];

        // common[i, j]: the longest common subsequence of a[i..] and b[j..].
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);

        var rows = new List<DiffRow>();
        var removed = new List<string>();
        var added = new List<string>();
        void Pair()
        {
            // A run of removed lines next to a run of added ones reads best as lines changed in place.
            for (var k = 0; k < Math.Max(removed.Count, added.Count); k++)
                rows.Add(new DiffRow(k < removed.Count ? removed[k] : null, k < added.Count ? added[k] : null));
            removed.Clear();
            added.Clear();
        }

        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y]) { Pair(); rows.Add(new DiffRow(a[x], b[y])); x++; y++; }
            else if (y < b.Length && (x == a.Length || common[x, y + 1] >= common[x + 1, y])) added.Add(b[y++]);
            else removed.Add(a[x++]);
        }
        Pair();
        return rows;
    }
}
