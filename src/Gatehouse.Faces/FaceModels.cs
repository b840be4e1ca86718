using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SkiaSharp;

namespace Gatehouse.Faces;

/// <summary>A face the detector found: its box in image pixels and its score.</summary>
internal readonly record struct DetectedFace(SKRect Box, float Score);

/// <summary>Head pose in degrees.</summary>
internal readonly record struct HeadPose(float Yaw, float Pitch, float Roll);

/// <summary>
/// The six ONNX sessions and the pre- and post-processing each model was trained with (input sizes, colour order,
/// normalisation, crops). The crops follow the model pack's own reference code; the numbers are its, not ours.
/// </summary>
internal sealed class FaceModels : IDisposable
{
    private const int DetectWidth = 320, DetectHeight = 240;

    private readonly InferenceSession _detector, _landmarks, _recognizer, _pose, _liveness, _eyes;

    private FaceModels(InferenceSession detector, InferenceSession landmarks, InferenceSession recognizer,
        InferenceSession pose, InferenceSession liveness, InferenceSession eyes)
    {
        (_detector, _landmarks, _recognizer, _pose, _liveness, _eyes) = (detector, landmarks, recognizer, pose, liveness, eyes);
    }

    public static FaceModels Load(FaceOptions options)
    {
        using var session = new SessionOptions
        {
            // The pose model prints pages of harmless warnings at INFO and WARNING.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        // Each session has a pool of its own, and by default a pool's threads keep spinning after a run: with six
        // sessions run one after another on two cores, the spinning threads of the last model took the cores from
        // the next one (the whole analysis took 3× as long as with one thread each).
        session.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        // The recogniser's activations reach denormal floats, which the CPU computes many times more slowly;
        // flushed to zero on the pool's threads, the template takes a fraction of the time and does not change.
        session.AddSessionConfigEntry("session.set_denormal_as_zero", "1");
        var loaded = new List<InferenceSession>();
        try
        {
            InferenceSession Open(string file)
            {
                var s = new InferenceSession(Path.Combine(options.ModelDirectory!, file), session);
                loaded.Add(s);
                return s;
            }

            var m = options.Models;
            return new FaceModels(Open(m.Detector), Open(m.Landmarks), Open(m.Recognizer), Open(m.Pose), Open(m.Liveness), Open(m.Eyes));
        }
        catch
        {
            foreach (var s in loaded)
                s.Dispose();
            throw;
        }
    }

    /// <summary>Faces above <paramref name="threshold"/>, after non-maximum suppression, in image pixels.</summary>
    public List<DetectedFace> Detect(FaceImage image, float threshold)
    {
        using var input = image.Crop(SKRect.Create(image.Width, image.Height), DetectWidth, DetectHeight);
        var tensor = Planar(input, 3, static v => (v - 127f) / 128f);
        using var results = _detector.Run([NamedOnnxValue.CreateFromTensor("input", tensor)]);
        var scores = results.First(r => r.Name == "scores").AsTensor<float>();
        var boxes = results.First(r => r.Name == "boxes").AsTensor<float>();

        var candidates = new List<DetectedFace>();
        for (var i = 0; i < scores.Dimensions[1]; i++)
        {
            var score = scores[0, i, 1];
            if (score < threshold)
                continue;
            var box = new SKRect(
                Math.Clamp(boxes[0, i, 0], 0, 1) * image.Width, Math.Clamp(boxes[0, i, 1], 0, 1) * image.Height,
                Math.Clamp(boxes[0, i, 2], 0, 1) * image.Width, Math.Clamp(boxes[0, i, 3], 0, 1) * image.Height);
            if (box.Width > 1 && box.Height > 1)
                candidates.Add(new DetectedFace(box, score));
        }
        return Suppress(candidates, 0.3f);
    }

    /// <summary>68 points in image pixels; the model sees the face's box as a 64×64 grey square.</summary>
    public SKPoint[] Landmarks(FaceImage image, SKRect box)
    {
        using var crop = image.Crop(box, 64, 64);
        var tensor = Planar(crop, 1, static v => v / 256f);
        using var results = _landmarks.Run([NamedOnnxValue.CreateFromTensor(_landmarks.InputNames[0], tensor)]);
        var output = results[0].AsEnumerable<float>().ToArray();
        var points = new SKPoint[68];
        for (var i = 0; i < 68; i++)
            points[i] = new SKPoint(box.Left + output[2 * i] * box.Width, box.Top + output[2 * i + 1] * box.Height);
        return points;
    }

    /// <summary>Yaw, pitch and roll: each output is 66 bins of 3°, read as the softmax's expectation.</summary>
    public HeadPose Pose(FaceImage image, SKRect box)
    {
        var wide = SKRect.Create(box.Left - box.Width / 4, box.Top - box.Height / 4, box.Width * 1.5f, box.Height * 1.5f);
        using var crop = image.Crop(Intersect(wide, image), 224, 224);
        float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
        var tensor = Planar(crop, 3, static v => v / 255f);
        for (var c = 0; c < 3; c++)
        {
            var plane = tensor.Buffer.Span.Slice(c * 224 * 224, 224 * 224);
            for (var i = 0; i < plane.Length; i++)
                plane[i] = (plane[i] - mean[c]) / std[c];
        }
        using var results = _pose.Run([NamedOnnxValue.CreateFromTensor(_pose.InputNames[0], tensor)]);
        var angles = results.Select(r => Expectation(r.AsEnumerable<float>().ToArray()) * 3 - 99).ToArray();
        return new HeadPose(angles[0], angles[1], angles[2]);
    }

    /// <summary>The probability that both eyes are open (the lower of the two eyes).</summary>
    public float EyesOpen(FaceImage image, SKPoint[] landmarks)
    {
        var left = EyeOpen(image, landmarks, 36);
        var right = EyeOpen(image, landmarks, 42);
        return MathF.Min(left, right);
    }

    private float EyeOpen(FaceImage image, SKPoint[] p, int first)
    {
        // The eye's centre from its upper and lower lids; the crop 1.6 × the corner-to-corner width.
        var cx = (p[first + 1].X + p[first + 2].X + p[first + 4].X + p[first + 5].X) / 4;
        var cy = (p[first + 1].Y + p[first + 2].Y + p[first + 4].Y + p[first + 5].Y) / 4;
        var side = MathF.Max(2, (p[first + 3].X - p[first].X) * 1.6f);
        using var crop = image.Crop(SKRect.Create(cx - side / 2, cy - side / 2, side, side), 24, 24);
        var tensor = Planar(crop, 1, static v => v / 255f);
        using var results = _eyes.Run([NamedOnnxValue.CreateFromTensor(_eyes.InputNames[0], tensor)]);
        var probabilities = Softmax(results[0].AsEnumerable<float>().ToArray());
        // Class 1 is an open eye (measured: open eyes on portraits score near 1, closed near 0).
        return probabilities[1];
    }

    /// <summary>The probability of a real, present face: the model sees 2.7 × the box, kept inside the image.</summary>
    public float Liveness(FaceImage image, SKRect box)
    {
        var scale = MathF.Min(2.7f, MathF.Min((image.Height - 1) / box.Height, (image.Width - 1) / box.Width));
        var w = box.Width * scale;
        var h = box.Height * scale;
        var left = MathF.Max(0, MathF.Min(box.MidX - w / 2, image.Width - 1 - w));
        var top = MathF.Max(0, MathF.Min(box.MidY - h / 2, image.Height - 1 - h));
        using var crop = image.Crop(SKRect.Create(left, top, w, h), 128, 128);
        var tensor = Planar(crop, 3, static v => v);
        using var results = _liveness.Run([NamedOnnxValue.CreateFromTensor(_liveness.InputNames[0], tensor)]);
        var probabilities = Softmax(results[0].AsEnumerable<float>().ToArray());
        // Class 1 is a real face in MiniFASNet-style models; 0 and 2 are the two kinds of attack.
        return probabilities[1];
    }

    /// <summary>The 512-d template of an aligned 112×112 face, L2-normalised.</summary>
    public float[] Template(SKBitmap aligned)
    {
        var tensor = Planar(aligned, 3, static v => (v - 127f) / 128f);
        using var results = _recognizer.Run([NamedOnnxValue.CreateFromTensor(_recognizer.InputNames[0], tensor)]);
        var vector = results[0].AsEnumerable<float>().ToArray();
        var norm = TensorPrimitives.Norm<float>(vector);
        if (norm > 0)
            TensorPrimitives.Divide(vector, norm, vector);
        return vector;
    }

    /// <summary>The bitmap as a 1×C×H×W tensor (RGB, or grey when <paramref name="channels"/> is 1).</summary>
    private static DenseTensor<float> Planar(SKBitmap bitmap, int channels, Func<float, float> normalise)
    {
        var (w, h) = (bitmap.Width, bitmap.Height);
        var tensor = new DenseTensor<float>([1, channels, h, w]);
        var data = tensor.Buffer.Span;
        var pixels = bitmap.GetPixelSpan();
        var plane = w * h;
        for (var i = 0; i < plane; i++)
        {
            float r = pixels[4 * i], g = pixels[4 * i + 1], b = pixels[4 * i + 2];
            if (channels == 1)
            {
                data[i] = normalise(0.299f * r + 0.587f * g + 0.114f * b);
            }
            else
            {
                data[i] = normalise(r);
                data[plane + i] = normalise(g);
                data[2 * plane + i] = normalise(b);
            }
        }
        return tensor;
    }

    private static SKRect Intersect(SKRect rect, FaceImage image)
    {
        var r = rect;
        return r.IntersectsWith(SKRect.Create(image.Width, image.Height))
            ? SKRect.Intersect(r, SKRect.Create(image.Width, image.Height))
            : r;
    }

    private static float[] Softmax(float[] logits)
    {
        var result = new float[logits.Length];
        TensorPrimitives.SoftMax(logits, result);
        return result;
    }

    private static float Expectation(float[] logits)
    {
        var p = Softmax(logits);
        var sum = 0f;
        for (var i = 0; i < p.Length; i++)
            sum += p[i] * i;
        return sum;
    }

    private static List<DetectedFace> Suppress(List<DetectedFace> candidates, float iou)
    {
        candidates.Sort((a, b) => b.Score.CompareTo(a.Score));
        var kept = new List<DetectedFace>();
        foreach (var c in candidates)
        {
            if (kept.All(k => Overlap(k.Box, c.Box) <= iou))
                kept.Add(c);
        }
        return kept;
    }

    private static float Overlap(SKRect a, SKRect b)
    {
        var inter = SKRect.Intersect(a, b);
        if (inter.IsEmpty)
            return 0;
        var shared = inter.Width * inter.Height;
        return shared / (a.Width * a.Height + b.Width * b.Height - shared);
    }

    public void Dispose()
    {
        _detector.Dispose();
        _landmarks.Dispose();
        _recognizer.Dispose();
        _pose.Dispose();
        _liveness.Dispose();
        _eyes.Dispose();
    }
}
