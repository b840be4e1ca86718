using Gatehouse.Testing;

namespace Gatehouse.Faces.Tests;

public sealed class FaceAssetsTests
{
    [Fact]
    public void ModelPack_IsFetched_EveryModelIsThere()
    {
        var files = new FaceModelFiles();
        foreach (var name in new[] { files.Detector, files.Landmarks, files.Recognizer, files.Pose, files.Liveness, files.Eyes })
            Assert.True(File.Exists(Path.Combine(FaceAssets.ModelDirectory, name)), $"{name} is missing: run scripts/face-models.sh");
    }
}
