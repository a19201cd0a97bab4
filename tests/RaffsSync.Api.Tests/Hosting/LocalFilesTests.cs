using RaffsSync.Api.Infrastructure.Postgres;

namespace RaffsSync.Api.Tests.Hosting;

public sealed class LocalFilesTests
{
    [Fact]
    public void development_keys_live_inside_the_clusters_own_directory_readable_by_the_owner_only()
    {
        var parent = Path.Combine(Path.GetTempPath(), "raffssync-localfiles-" + Guid.NewGuid().ToString("N")[..8]);
        var directory = Path.Combine(parent, "pg");
        try
        {
            var path = LocalFiles.PathFor(directory, "secrets.key");
            Assert.Equal(Path.Combine(directory, "secrets.key"), path);

            LocalFiles.WritePrivate(path, "secret");

            Assert.Equal("secret", File.ReadAllText(path));
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.False(File.Exists(Path.Combine(parent, "secrets.key")));
        }
        finally
        {
            if (Directory.Exists(parent)) Directory.Delete(parent, recursive: true);
        }
    }
}
