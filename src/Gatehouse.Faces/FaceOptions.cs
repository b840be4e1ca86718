using System.ComponentModel.DataAnnotations;

namespace Gatehouse.Faces;

/// <summary>
/// Where the face models are and how strict the quality analysis is (<c>Gatehouse:Face</c>). The defaults are the
/// ones chosen from the evaluation in <c>docs/face.md</c>.
/// </summary>
public sealed class FaceOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Gatehouse:Face";

    /// <summary>The folder holding the model files; the host fills in its default (<c>{data}/face-models</c>).</summary>
    public string? ModelDirectory { get; set; }

    /// <summary>The file name of each model inside <see cref="ModelDirectory"/>.</summary>
    public FaceModelFiles Models { get; set; } = new();

    /// <summary>The thresholds of the quality analysis and of matching.</summary>
    public FaceThresholds Thresholds { get; set; } = new();

    /// <summary>The largest encoded image accepted, in bytes.</summary>
    [Range(64 * 1024, 64 * 1024 * 1024)]
    public int MaxImageBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>The largest decoded image accepted, in pixels (a decompression bomb declares far more).</summary>
    [Range(1_000_000, 100_000_000)]
    public int MaxImagePixels { get; set; } = 40_000_000;

    /// <summary>Threads each model may use for one inference.</summary>
    [Range(1, 64)]
    public int IntraOpThreads { get; set; } = 2;
}

/// <summary>The model files of a pack. Any ONNX models with the same inputs and outputs may be configured.</summary>
public sealed class FaceModelFiles
{
    /// <summary>Face detector (UltraFace-style: scores and decoded boxes for a 320×240 RGB input).</summary>
    public string Detector { get; set; } = "fr_detect.onnx";

    /// <summary>68-point landmarks on a 64×64 grey crop.</summary>
    public string Landmarks { get; set; } = "fr_landmark.onnx";

    /// <summary>The recogniser: a 512-d template of an aligned 112×112 face.</summary>
    public string Recognizer { get; set; } = "fr_feature.onnx";

    /// <summary>Head pose (yaw, pitch, roll) on a 224×224 crop.</summary>
    public string Pose { get; set; } = "fr_pose.onnx";

    /// <summary>Presentation-attack score on a 128×128 crop.</summary>
    public string Liveness { get; set; } = "fr_liveness.onnx";

    /// <summary>Eye state (open or closed) of each eye.</summary>
    public string Eyes { get; set; } = "fr_eye.onnx";
}

/// <summary>The thresholds of the quality analysis and of matching.</summary>
public sealed class FaceThresholds
{
    /// <summary>The detector's score from which a box counts as a face.</summary>
    [Range(0.05, 0.99)]
    public float Detection { get; set; } = 0.65f;

    /// <summary>The smallest face, as the width of its box in pixels of the upright image.</summary>
    [Range(16, 1000)]
    public int MinFaceWidth { get; set; } = 80;

    /// <summary>The largest head turn left or right, in degrees.</summary>
    [Range(5, 90)]
    public float MaxYaw { get; set; } = 25;

    /// <summary>The largest head tilt up or down, in degrees.</summary>
    [Range(5, 90)]
    public float MaxPitch { get; set; } = 25;

    /// <summary>The least sharpness (variance of the Laplacian of the aligned face).</summary>
    [Range(0, 10_000)]
    public float MinSharpness { get; set; } = 20;

    /// <summary>
    /// The most sharpness a photographed face shows; line drawings and printed line art have far more edge
    /// energy than skin, so above this the face is refused as not live.
    /// </summary>
    [Range(0, 100_000)]
    public float MaxSharpness { get; set; } = 4000;

    /// <summary>The darkest mean brightness of the face (0–255).</summary>
    [Range(0, 255)]
    public float MinBrightness { get; set; } = 45;

    /// <summary>The brightest mean brightness of the face (0–255).</summary>
    [Range(0, 255)]
    public float MaxBrightness { get; set; } = 225;

    /// <summary>The least probability that the eyes are open.</summary>
    [Range(0, 1)]
    public float MinEyesOpen { get; set; } = 0.05f;

    /// <summary>The least liveness score (probability of a real face) of a still photo.</summary>
    [Range(0, 1)]
    public float MinLiveness { get; set; } = 0.05f;

    /// <summary>The cosine similarity from which two templates are the same person.</summary>
    [Range(0, 1)]
    public float Match { get; set; } = 0.42f;
}
