using Gatehouse.Testing;

namespace Gatehouse.Faces.Tests;

/// <summary>
/// The int8 search on templates the real engine makes from the evaluation photos, hidden among 10,000 synthetic
/// distractors: its best match is the one an exact float search finds, for people enrolled and strangers alike.
/// Templates are made with quality checks off, as in <see cref="FaceEvaluationTests"/>.
/// </summary>
public sealed class FaceIndexEvaluationTests
{
    [Fact]
    public void Int8Search_BestMatch_IsTheExactFloatSearchs_OnTheEvaluationSetWith10000Distractors()
    {
        var threshold = new FaceThresholds().Match;
        var load = FaceEngine.Load(new FaceOptions { ModelDirectory = FaceAssets.ModelDirectory, Thresholds = FaceEvaluationTests.Permissive() });
        using var engine = load.Engine ?? throw new InvalidOperationException(load.Unavailable);
        var templates = FaceAssets.Identities.Keys.Order().ToDictionary(photo => photo, photo =>
            engine.Analyze(FaceAssets.Photo(photo)).Template ?? throw new InvalidOperationException($"{photo} made no template"));
        var model = templates.Values.First().Model;

        // One photo of each person who has several is enrolled; every other photo is a probe.
        var enrolled = templates.Keys.GroupBy(photo => FaceAssets.Identities[photo]).Where(g => g.Count() > 1)
            .ToDictionary(g => g.First(), _ => Guid.NewGuid());
        var random = new Random(2026);
        var entries = Enumerable.Range(0, 10_000).Select(_ => (Guid.NewGuid(), Synthetic.Template(random, model, 512))).ToList();
        entries.InsertRange(random.Next(entries.Count), enrolled.Select(e => (e.Value, templates[e.Key])));
        var index = FaceIndex.Build(model, entries);
        var byId = enrolled.ToDictionary(e => e.Value, e => FaceAssets.Identities[e.Key]);

        var probes = templates.Keys.Where(photo => !enrolled.ContainsKey(photo)).ToList();
        var strangers = probes.Count(p => !enrolled.Keys.Any(e => FaceAssets.Identities[e] == FaceAssets.Identities[p]));
        Assert.True(probes.Count > 20 && strangers >= 5, "the set should hold genuine probes and strangers");
        foreach (var photo in probes)
        {
            foreach (var at in new[] { threshold, -1f })
            {
                var exact = index.BestExact(templates[photo], at);
                var fast = index.Best(templates[photo], at);
                Assert.Equal(exact, fast);
            }

            // At the door's threshold the int8 pass alone decides: no probe needs every float read.
            var match = index.Search(templates[photo], threshold, out var fellBack);
            Assert.False(fellBack, photo);
            Assert.Equal(byId.ContainsValue(FaceAssets.Identities[photo]) ? FaceAssets.Identities[photo] : null,
                match is null ? null : byId.GetValueOrDefault(match.CredentialId, "a distractor"));
        }
    }
}
