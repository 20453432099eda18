namespace Herald.Testing;

/// <summary>Finds the checkout's root (the folder holding <c>Herald.slnx</c>) from the test binaries.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Herald.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Herald.slnx above {AppContext.BaseDirectory}; run the tests from a Herald checkout.");
    });

    public static string Root => LazyRoot.Value;
}
