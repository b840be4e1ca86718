namespace Gatehouse.Faces;

/// <summary>
/// Analyses photos of faces with the configured ONNX models: decode (EXIF upright), detect, landmarks, align,
/// pose, eye state, liveness, template. Thread-safe; one instance per process.
/// </summary>
public sealed class FaceEngine : IDisposable
{
    private FaceEngine(FaceOptions options, string model)
    {
        Options = options;
        Model = model;
    }

    /// <summary>The options the engine was loaded with.</summary>
    public FaceOptions Options { get; }

    /// <summary>The recogniser's identity (file name and the start of its SHA-256), recorded on every template.</summary>
    public string Model { get; }

    /// <summary>Loads the models, or says in a sentence why face features are off.</summary>
    public static FaceEngineLoad Load(FaceOptions options) => throw new NotImplementedException();

    /// <summary>Analyses one encoded image (JPEG, PNG or WebP).</summary>
    public FaceAnalysis Analyze(ReadOnlySpan<byte> image) => throw new NotImplementedException();

    /// <inheritdoc />
    public void Dispose() { }
}

/// <summary>The engine, or why there is none.</summary>
public sealed record FaceEngineLoad(FaceEngine? Engine, string? Unavailable);
