using Gatehouse.Testing;

namespace Gatehouse.Faces.Tests;

/// <summary>One engine on the real default models for all the tests of a class (loading takes a moment).</summary>
public sealed class EngineFixture : IDisposable
{
    public EngineFixture()
    {
        var load = FaceEngine.Load(new FaceOptions { ModelDirectory = FaceAssets.ModelDirectory });
        Engine = load.Engine ?? throw new InvalidOperationException(load.Unavailable);
    }

    public FaceEngine Engine { get; }

    public FaceAnalysis Analyze(string photo) => Engine.Analyze(FaceAssets.Photo(photo));

    public void Dispose() => Engine.Dispose();
}
