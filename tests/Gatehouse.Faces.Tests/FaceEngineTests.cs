using Gatehouse.Testing;
using SkiaSharp;

namespace Gatehouse.Faces.Tests;

public sealed class FaceEngineTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private FaceEngine Engine => fixture.Engine;

    [Fact]
    public void Analyze_FrontalPortrait_MakesNormalisedTemplateOfItsModelAndThumbnail()
    {
        var analysis = fixture.Analyze("obama4_crop.jpg");

        Assert.True(analysis.Succeeded, analysis.Detail);
        Assert.Equal(512, analysis.Template!.Vector.Length);
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm<float>(analysis.Template.Vector), 3);
        Assert.StartsWith("fr_feature@87aacdfe57510db2", analysis.Template.Model);
        Assert.Equal(Engine.Model, analysis.Template.Model);
        using var thumbnail = SKBitmap.Decode(analysis.Thumbnail);
        Assert.Equal((160, 160), (thumbnail.Width, thumbnail.Height));
        Assert.Equal(1, analysis.Quality.FacesFound);
        Assert.InRange(analysis.Quality.Yaw!.Value, -15, 15);
        Assert.NotNull(analysis.Quality.Liveness);
    }

    [Theory]
    [InlineData("sample1.jpg")]
    [InlineData("sample5.jpg")]
    public void Analyze_GroupPhoto_MultipleFaces(string photo)
    {
        var analysis = fixture.Analyze(photo);

        Assert.Equal(FaceRejection.MultipleFaces, analysis.Rejection);
        Assert.True(analysis.Quality.FacesFound >= 3);
        Assert.Null(analysis.Template);
    }

    [Theory]
    [InlineData("ironman.jpg")]
    [InlineData("scream_crop.jpg")]
    public void Analyze_NoHumanFace_NoFace(string photo) =>
        Assert.Equal(FaceRejection.NoFace, fixture.Analyze(photo).Rejection);

    [Theory]
    [InlineData("picasso_drawing_crop.jpg", FaceRejection.NotLive)]
    [InlineData("vendetta.jpg", FaceRejection.EyesClosed)]
    [InlineData("skullmask.jpg", FaceRejection.NotFrontal)]
    [InlineData("terminator_crop.jpg", FaceRejection.EyesClosed)]
    public void Analyze_DrawingMaskOrSunglasses_IsStoppedByQuality(string photo, FaceRejection expected)
    {
        var analysis = fixture.Analyze(photo);

        Assert.Equal(expected, analysis.Rejection);
        Assert.Null(analysis.Template);
        Assert.Null(analysis.Thumbnail);
    }

    [Fact]
    public void Analyze_NarrowedButOpenEyes_Enrolls()
    {
        var analysis = fixture.Analyze("SeanConnery.jpg");

        Assert.True(analysis.Succeeded, analysis.Detail);
    }

    [Fact]
    public void Analyze_NotAnImage_UnreadableImage()
    {
        var analysis = Engine.Analyze("%PDF-1.7 this is not a photo"u8);

        Assert.Equal(FaceRejection.UnreadableImage, analysis.Rejection);
        Assert.Contains("JPEG, PNG or WebP", analysis.Detail);
    }

    [Fact]
    public void Analyze_TruncatedJpeg_UnreadableImageSayingItIsIncomplete()
    {
        var jpeg = FaceAssets.Photo("obama4_crop.jpg");

        var analysis = Engine.Analyze(jpeg.AsSpan(0, jpeg.Length / 2));

        Assert.Equal(FaceRejection.UnreadableImage, analysis.Rejection);
        Assert.Contains("incomplete", analysis.Detail);
    }

    [Fact]
    public void Analyze_DecompressionBomb_ImageTooLargeWithoutDecoding()
    {
        var bomb = FaceTestImages.DecompressionBomb();

        var analysis = Engine.Analyze(bomb);

        Assert.True(bomb.Length < 200);
        Assert.Equal(FaceRejection.ImageTooLarge, analysis.Rejection);
        Assert.Null(analysis.Quality.ImageWidth);
    }

    [Fact]
    public void Analyze_MoreBytesThanAllowed_ImageTooLarge()
    {
        var analysis = Engine.Analyze(new byte[Engine.Options.MaxImageBytes + 1]);

        Assert.Equal(FaceRejection.ImageTooLarge, analysis.Rejection);
    }

    [Fact]
    public void Analyze_SidewaysWithExifOrientation_EnrollsUprightAsTheSameFace()
    {
        var upright = fixture.Analyze("kim1_crop.jpg");

        var sideways = Engine.Analyze(FaceTestImages.SidewaysWithExif("kim1_crop.jpg"));

        Assert.True(sideways.Succeeded, sideways.Detail);
        Assert.Equal(upright.Quality.ImageWidth, sideways.Quality.ImageWidth);
        Assert.InRange(sideways.Quality.Roll!.Value, -15, 15);
        Assert.True(upright.Template!.Similarity(sideways.Template!) > 0.9f);
    }

    [Fact]
    public void Analyze_SidewaysWithoutExif_IsNotEnrolledAsFrontal()
    {
        using var sideways = FaceTestImages.Redraw("kim1_crop.jpg", rotate: 270);

        var analysis = Engine.Analyze(FaceTestImages.Jpeg(sideways));

        Assert.False(analysis.Succeeded);
    }

    [Fact]
    public void Analyze_Greyscale_Enrolls()
    {
        using var paint = new SKPaint { ColorFilter = SKColorFilter.CreateColorMatrix(Grey) };
        using var grey = FaceTestImages.Redraw("cage.jpg", paint: paint);

        var analysis = Engine.Analyze(FaceTestImages.Png(grey));

        Assert.True(analysis.Succeeded, analysis.Detail);
        Assert.True(analysis.Template!.Similarity(fixture.Analyze("cage.jpg").Template!) > 0.8f);
    }

    [Fact]
    public void Analyze_Tiny64PixelImage_FaceTooSmall()
    {
        using var tiny = FaceTestImages.Redraw("obama4_crop.jpg", scale: 64f / 280);

        var analysis = Engine.Analyze(FaceTestImages.Png(tiny));

        Assert.Equal(FaceRejection.FaceTooSmall, analysis.Rejection);
        Assert.Contains("Come closer", analysis.Detail);
    }

    [Fact]
    public void Analyze_UnderexposedPhoto_PoorExposureTooDark()
    {
        using var paint = new SKPaint { ColorFilter = SKColorFilter.CreateColorMatrix(Scale(0.18f)) };
        using var dark = FaceTestImages.Redraw("obama4_crop.jpg", paint: paint);

        var analysis = Engine.Analyze(FaceTestImages.Jpeg(dark));

        Assert.Equal(FaceRejection.PoorExposure, analysis.Rejection);
        Assert.Contains("dark", analysis.Detail);
    }

    [Fact]
    public void Analyze_OutOfFocusPhoto_Blurry()
    {
        using var paint = new SKPaint { ImageFilter = SKImageFilter.CreateBlur(5, 5) };
        using var blurred = FaceTestImages.Redraw("obama4_crop.jpg", paint: paint);

        var analysis = Engine.Analyze(FaceTestImages.Jpeg(blurred));

        Assert.Equal(FaceRejection.Blurry, analysis.Rejection);
    }

    [Fact]
    public void Similarity_TemplatesOfDifferentModels_Refused()
    {
        var template = fixture.Analyze("obama4_crop.jpg").Template!;

        Assert.Throws<ArgumentException>(() => template.Similarity(template with { Model = "another-model@0000" }));
    }

    [Fact]
    public void Load_MissingModels_SaysWhichAndHowToFetchThem()
    {
        var empty = Directory.CreateTempSubdirectory("gatehouse-no-models");
        try
        {
            var load = FaceEngine.Load(new FaceOptions { ModelDirectory = empty.FullName });

            Assert.Null(load.Engine);
            Assert.Contains("fr_detect.onnx", load.Unavailable);
            Assert.Contains("scripts/face-models.sh", load.Unavailable);
        }
        finally
        {
            empty.Delete();
        }
    }

    private static readonly float[] Grey =
    [
        0.299f, 0.587f, 0.114f, 0, 0,
        0.299f, 0.587f, 0.114f, 0, 0,
        0.299f, 0.587f, 0.114f, 0, 0,
        0, 0, 0, 1, 0,
    ];

    private static float[] Scale(float k) =>
    [
        k, 0, 0, 0, 0,
        0, k, 0, 0, 0,
        0, 0, k, 0, 0,
        0, 0, 0, 1, 0,
    ];
}
