namespace Gatehouse.Testing;

/// <summary>
/// The face models and photos the tests use, fetched by <c>scripts/face-models.sh</c> and
/// <c>scripts/face-photos.sh</c> into the repository's <c>data/</c> folder (<c>./test.sh</c> runs both).
/// </summary>
public static class FaceAssets
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The folder of the default model pack.</summary>
    public static string ModelDirectory =>
        Environment.GetEnvironmentVariable("GATEHOUSE_TEST_FACE_MODELS") is { Length: > 0 } dir ? dir : Path.Combine(Root.Value, "data", "face-models");

    /// <summary>The folder of the test photos.</summary>
    public static string PhotoDirectory =>
        Environment.GetEnvironmentVariable("GATEHOUSE_TEST_FACE_PHOTOS") is { Length: > 0 } dir ? dir : Path.Combine(Root.Value, "data", "face-photos");

    /// <summary>The bytes of one test photo by file name (<c>cage.jpg</c>).</summary>
    public static byte[] Photo(string name)
    {
        var path = Path.Combine(PhotoDirectory, name);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Test photo {name} is missing: run scripts/face-photos.sh.", path);
        return File.ReadAllBytes(path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gatehouse.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("The repository root (Gatehouse.slnx) was not found above the test binaries.");
    }
}
