namespace Gatehouse.Faces.Tests;

/// <summary>The 1:N search against a naive loop over the same templates, on synthetic unit vectors.</summary>
public sealed class FaceIndexTests
{
    private const string Model = "fr_feature@test";

    [Theory]
    [InlineData(0, 512)]
    [InlineData(1, 512)]
    [InlineData(2, 512)]
    [InlineData(17, 512)]
    [InlineData(1000, 512)]
    [InlineData(3000, 512)]
    [InlineData(200, 100)]
    [InlineData(50, 7)]
    public void Best_FindsWhatANaiveLoopFinds(int count, int dimension)
    {
        var random = new Random(count * 31 + dimension);
        var templates = Enumerable.Range(0, count).Select(_ => (Guid.NewGuid(), Synthetic.Template(random, Model, dimension))).ToList();
        var index = FaceIndex.Build(Model, templates);
        Assert.Equal(count, index.Count);

        for (var query = 0; query < 40; query++)
        {
            // Half the probes are a noisy copy of an enrolled template (a genuine probe), half a stranger.
            var probe = count > 0 && query % 2 == 0
                ? Synthetic.Near(random, templates[random.Next(count)].Item2, 0.6f)
                : Synthetic.Template(random, Model, dimension);
            foreach (var threshold in new[] { -1f, 0f, 0.1f, 0.42f })
            {
                var expected = Naive(templates, probe, threshold);
                var actual = index.Best(probe, threshold);
                var exact = index.BestExact(probe, threshold);
                Assert.Equal(expected?.CredentialId, actual?.CredentialId);
                Assert.Equal(expected?.CredentialId, exact?.CredentialId);
                if (expected is not null)
                {
                    Assert.Equal(expected.Similarity, actual!.Similarity, 1e-5f);
                    Assert.Equal(actual.Similarity, exact!.Similarity);
                }
            }
        }
    }

    [Fact]
    public void Best_BelowThreshold_IsNull_AtOrAbove_IsTheMatch()
    {
        var random = new Random(7);
        var enrolled = Synthetic.Template(random, Model, 512);
        var id = Guid.NewGuid();
        var index = FaceIndex.Build(Model, [(id, enrolled)]);
        var probe = Synthetic.Near(random, enrolled, 0.5f);
        var similarity = probe.Similarity(enrolled);

        Assert.Null(index.Best(probe, similarity + 1e-4f));
        Assert.Equal(id, index.Best(probe, similarity - 1e-4f)?.CredentialId);
        Assert.Null(index.Best(Synthetic.Template(random, Model, 512), 0.42f));
    }

    [Fact]
    public void TemplatesOfAnotherModel_AreLeftOut_AndItsProbesRefused()
    {
        var random = new Random(3);
        var ours = Synthetic.Template(random, Model, 512);
        var theirs = new FaceTemplate("fr_feature@old", ours.Vector);
        var index = FaceIndex.Build(Model, [(Guid.NewGuid(), theirs), (Guid.NewGuid(), ours)]);

        Assert.Equal(1, index.Count);
        Assert.Equal(1, index.Skipped);
        Assert.Throws<ArgumentException>(() => index.Best(theirs, 0.42f));
        Assert.Throws<ArgumentException>(() => FaceIndex.Empty(Model).Best(theirs, 0.42f));
    }

    [Fact]
    public void Change_RemovesReplacesAndAdds_LeavingTheOldIndexAsItWas()
    {
        var random = new Random(11);
        var a = (Id: Guid.NewGuid(), Template: Synthetic.Template(random, Model, 512));
        var b = (Id: Guid.NewGuid(), Template: Synthetic.Template(random, Model, 512));
        var c = (Id: Guid.NewGuid(), Template: Synthetic.Template(random, Model, 512));
        var b2 = Synthetic.Template(random, Model, 512);
        var before = FaceIndex.Build(Model, [a, b]);

        var after = before.Change([(b.Id, b2), c], [a.Id]);

        Assert.Equal(2, after.Count);
        Assert.Null(after.Best(a.Template, 0.42f));
        Assert.Null(after.Best(b.Template, 0.42f));
        Assert.Equal(b.Id, after.Best(b2, 0.42f)?.CredentialId);
        Assert.Equal(c.Id, after.Best(c.Template, 0.42f)?.CredentialId);
        Assert.Equal(a.Id, before.Best(a.Template, 0.42f)?.CredentialId);
        Assert.Equal(b.Id, before.Best(b.Template, 0.42f)?.CredentialId);
        Assert.Equal(c.Id, FaceIndex.Empty(Model).Change([c], []).Best(c.Template, 0.42f)?.CredentialId);
    }

    [Fact]
    public void ManyNearlyEqualTemplates_FallBackToTheFloats_AndStillFindTheBest()
    {
        // Forty templates within rounding of one another: the int8 pass cannot tell which of them is the best.
        var random = new Random(17);
        var centre = Synthetic.Template(random, Model, 512);
        var templates = Enumerable.Range(0, 40).Select(_ => (Guid.NewGuid(), Synthetic.Near(random, centre, 0.9995f))).ToList();
        templates.AddRange(Enumerable.Range(0, 500).Select(_ => (Guid.NewGuid(), Synthetic.Template(random, Model, 512))));
        var index = FaceIndex.Build(Model, templates);

        var match = index.Search(centre, 0.42f, out var fellBack);

        Assert.True(fellBack);
        Assert.Equal(Naive(templates, centre, 0.42f)?.CredentialId, match?.CredentialId);
    }

    [Fact]
    public void TemplatesWithValuesThatAreNotFinite_AreLeftOut()
    {
        var random = new Random(19);
        var good = (Id: Guid.NewGuid(), Template: Synthetic.Template(random, Model, 512));
        var broken = Synthetic.Template(random, Model, 512).Vector;
        broken[3] = float.NaN;
        var index = FaceIndex.Build(Model, [(Guid.NewGuid(), new FaceTemplate(Model, broken)), good]);

        Assert.Equal(1, index.Count);
        Assert.Equal(1, index.Skipped);
        Assert.Equal(good.Id, index.Search(good.Template, 0.42f, out var fellBack)?.CredentialId);
        Assert.False(fellBack);
    }

    [Fact]
    public void EqualSimilarities_GoToTheTemplateAddedFirst()
    {
        var random = new Random(5);
        var template = Synthetic.Template(random, Model, 512);
        var first = Guid.NewGuid();
        var index = FaceIndex.Build(Model, [(first, template), (Guid.NewGuid(), template), (Guid.NewGuid(), template)]);

        Assert.Equal(first, index.Best(template, 0.42f)?.CredentialId);
    }

    [Fact]
    public void Int8Kernels_AgreeWithAScalarLoop()
    {
        var random = new Random(13);
        foreach (var length in new[] { 1, 15, 16, 31, 32, 63, 64, 65, 100, 512, 513 })
        {
            var code = new sbyte[length];
            var probe = new sbyte[length];
            for (var i = 0; i < length; i++)
            {
                code[i] = (sbyte)random.Next(-127, 128);
                probe[i] = (sbyte)random.Next(-127, 128);
            }

            code[0] = probe[0] = -127;
            var magnitudes = probe.Select(v => (byte)Math.Abs((int)v)).ToArray();
            var expected = 0;
            for (var i = 0; i < length; i++)
                expected += code[i] * probe[i];

            Assert.Equal(expected, FaceIndex.DotInt8(code, probe, magnitudes));
            var at = 0;
            var portable = FaceIndex.DotInt8Portable(code, probe, ref at);
            for (; at < length; at++)
                portable += code[at] * probe[at];
            Assert.Equal(expected, portable);
        }
    }

    private static FaceMatch? Naive(List<(Guid Id, FaceTemplate Template)> templates, FaceTemplate probe, float threshold)
    {
        FaceMatch? best = null;
        foreach (var (id, template) in templates)
        {
            double sum = 0;
            for (var i = 0; i < probe.Vector.Length; i++)
                sum += (double)probe.Vector[i] * template.Vector[i];
            if (best is null || sum > best.Similarity)
                best = new FaceMatch(id, (float)sum);
        }

        return best is not null && best.Similarity >= threshold ? best : null;
    }
}

/// <summary>Deterministic synthetic templates: random unit vectors, and noisy copies of a template.</summary>
internal static class Synthetic
{
    public static FaceTemplate Template(Random random, string model, int dimension)
    {
        var vector = new float[dimension];
        for (var i = 0; i < dimension; i++)
            vector[i] = Gaussian(random);
        return new FaceTemplate(model, Normalise(vector));
    }

    /// <summary>A unit vector at a similarity of about <paramref name="similarity"/> to the template.</summary>
    public static FaceTemplate Near(Random random, FaceTemplate template, float similarity)
    {
        var noise = Template(random, template.Model, template.Vector.Length).Vector;
        var weight = MathF.Sqrt(1 - similarity * similarity);
        var vector = new float[noise.Length];
        for (var i = 0; i < vector.Length; i++)
            vector[i] = similarity * template.Vector[i] + weight * noise[i];
        return new FaceTemplate(template.Model, Normalise(vector));
    }

    private static float Gaussian(Random random) =>
        MathF.Sqrt(-2 * MathF.Log(1 - random.NextSingle())) * MathF.Cos(2 * MathF.PI * random.NextSingle());

    private static float[] Normalise(float[] vector)
    {
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        for (var i = 0; i < vector.Length; i++)
            vector[i] /= norm;
        return vector;
    }
}
