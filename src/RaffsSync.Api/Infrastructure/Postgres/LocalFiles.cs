namespace RaffsSync.Api.Infrastructure.Postgres;

/// <summary>
/// The development files that go with the local cluster (its secrets key, the demo key): inside the
/// cluster's own directory, readable by the owner only, so two instances with different directories
/// never share them. A file kept by earlier versions beside the default directory (<c>.local/</c>) is still used.
/// </summary>
public static class LocalFiles
{
    public static string PathFor(string localDirectory, string name)
    {
        var legacy = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(localDirectory))!, name);
        return File.Exists(legacy) && Path.GetFileName(Path.GetDirectoryName(legacy)) == ".local" ? legacy : Path.Combine(localDirectory, name);
    }

    public static void WritePrivate(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096,
                   FileOptions.None))
        {
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            using var writer = new StreamWriter(file);
            writer.Write(text);
        }
    }
}
