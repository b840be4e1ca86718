using System.Text.Json.Serialization;

namespace Gatehouse.Faces;

/// <summary>Why a photo cannot make a face template, in terms a person can act on.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FaceRejection>))]
public enum FaceRejection
{
    /// <summary>No face was found.</summary>
    [JsonStringEnumMemberName("noFace")] NoFace = 1,

    /// <summary>More than one face was found.</summary>
    [JsonStringEnumMemberName("multipleFaces")] MultipleFaces,

    /// <summary>The face is too small (too far from the camera, or the image too small).</summary>
    [JsonStringEnumMemberName("faceTooSmall")] FaceTooSmall,

    /// <summary>The head is turned or tilted too far.</summary>
    [JsonStringEnumMemberName("notFrontal")] NotFrontal,

    /// <summary>The face is out of focus or moved.</summary>
    [JsonStringEnumMemberName("blurry")] Blurry,

    /// <summary>The face is too dark or too bright.</summary>
    [JsonStringEnumMemberName("poorExposure")] PoorExposure,

    /// <summary>The eyes are closed.</summary>
    [JsonStringEnumMemberName("eyesClosed")] EyesClosed,

    /// <summary>The face looks like a photo of a photo or a screen, a drawing or a mask.</summary>
    [JsonStringEnumMemberName("notLive")] NotLive,

    /// <summary>The file is not an image that can be read (or is truncated).</summary>
    [JsonStringEnumMemberName("unreadableImage")] UnreadableImage,

    /// <summary>The image is larger than allowed (bytes or pixels).</summary>
    [JsonStringEnumMemberName("imageTooLarge")] ImageTooLarge,
}

/// <summary>What the analysis measured. Fields it did not reach (after a rejection) are null.</summary>
/// <param name="ImageWidth">Width of the upright image in pixels.</param>
/// <param name="ImageHeight">Height of the upright image in pixels.</param>
/// <param name="FacesFound">Faces the detector found above its threshold.</param>
/// <param name="DetectionScore">The detector's confidence in the face (0–1).</param>
/// <param name="FaceWidth">Width of the face's box in pixels.</param>
/// <param name="Yaw">Head turn in degrees (0 = facing the camera).</param>
/// <param name="Pitch">Head tilt in degrees.</param>
/// <param name="Roll">Head roll in degrees.</param>
/// <param name="Sharpness">Variance of the Laplacian of the aligned face.</param>
/// <param name="Brightness">Mean brightness of the face (0–255).</param>
/// <param name="EyesOpen">Probability that the eyes are open (0–1).</param>
/// <param name="Liveness">Probability that the face is a real, present face (0–1).</param>
public sealed record FaceQuality(
    int? ImageWidth = null,
    int? ImageHeight = null,
    int? FacesFound = null,
    float? DetectionScore = null,
    int? FaceWidth = null,
    float? Yaw = null,
    float? Pitch = null,
    float? Roll = null,
    float? Sharpness = null,
    float? Brightness = null,
    float? EyesOpen = null,
    float? Liveness = null);

/// <summary>Milliseconds spent in each stage of one analysis (for the benchmarks and the logs).</summary>
public sealed record FaceTimings(
    double Decode, double Detect, double Landmarks, double Pose, double Eyes, double Liveness, double Template, double Total);

/// <summary>
/// The result of analysing one photo: a template (and a thumbnail) when it is good enough to enroll, otherwise
/// the first reason it is not. The metrics are filled as far as the analysis got either way.
/// </summary>
public sealed record FaceAnalysis(
    FaceRejection? Rejection,
    string? Detail,
    FaceQuality Quality,
    FaceTemplate? Template,
    byte[]? Thumbnail,
    FaceTimings Timings)
{
    /// <summary>True when the photo made a template.</summary>
    public bool Succeeded => Rejection is null && Template is not null;
}

/// <summary>A face template: an L2-normalised vector and the model that made it (never compare across models).</summary>
public sealed record FaceTemplate(string Model, float[] Vector)
{
    /// <summary>Cosine similarity of two templates of the same model (−1 to 1).</summary>
    public float Similarity(FaceTemplate other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Model != Model)
            throw new ArgumentException("Templates of different models cannot be compared.", nameof(other));
        return System.Numerics.Tensors.TensorPrimitives.Dot<float>(Vector, other.Vector);
    }
}
