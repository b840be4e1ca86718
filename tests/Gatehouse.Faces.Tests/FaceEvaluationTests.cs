using Gatehouse.Testing;

namespace Gatehouse.Faces.Tests;

/// <summary>
/// The matching threshold against the evaluation photos: every pair of photos of one person scores at or above
/// it and every pair of two people below it. Templates are made with quality checks off, so the threshold is
/// judged on every face the recogniser can see (the chosen figures are in docs/face.md).
/// </summary>
public sealed class FaceEvaluationTests : IDisposable
{
    private readonly FaceEngine _engine;
    private readonly float _threshold = new FaceThresholds().Match;

    public FaceEvaluationTests()
    {
        var load = FaceEngine.Load(new FaceOptions { ModelDirectory = FaceAssets.ModelDirectory, Thresholds = Permissive() });
        _engine = load.Engine ?? throw new InvalidOperationException(load.Unavailable);
    }

    [Fact]
    public void Match_SamePersonPairs_ScoreAtOrAboveThreshold_DifferentPeopleBelow()
    {
        var templates = FaceAssets.Identities.ToDictionary(p => p.Key, p =>
            _engine.Analyze(FaceAssets.Photo(p.Key)).Template ?? throw new InvalidOperationException($"{p.Key} made no template"));
        var names = templates.Keys.Order().ToList();
        var falseRejects = new List<string>();
        var falseAccepts = new List<string>();
        var genuine = 0;

        for (var i = 0; i < names.Count; i++)
        {
            for (var j = i + 1; j < names.Count; j++)
            {
                var score = templates[names[i]].Similarity(templates[names[j]]);
                var same = FaceAssets.Identities[names[i]] == FaceAssets.Identities[names[j]];
                genuine += same ? 1 : 0;
                if (same && score < _threshold)
                    falseRejects.Add($"{names[i]} ~ {names[j]}: {score:F3}");
                if (!same && score >= _threshold)
                    falseAccepts.Add($"{names[i]} ~ {names[j]}: {score:F3}");
            }
        }

        Assert.True(genuine > 90, "the set should hold many same-person pairs");
        Assert.Empty(falseAccepts);
        Assert.Empty(falseRejects);
    }

    internal static FaceThresholds Permissive() => new()
    {
        MinFaceWidth = 16, MaxYaw = 90, MaxPitch = 90, MinSharpness = 0, MaxSharpness = 100_000, MinBrightness = 0,
        MaxBrightness = 255, MinEyesOpen = 0, MinLiveness = 0,
    };

    public void Dispose() => _engine.Dispose();
}
