using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Gatehouse.Faces;

/// <summary>The best match of a 1:N search: the face credential whose template is closest to the probe.</summary>
/// <param name="CredentialId">The face credential the template belongs to.</param>
/// <param name="Similarity">Cosine similarity of probe and template (−1 to 1), computed exactly in floats.</param>
public sealed record FaceMatch(Guid CredentialId, float Similarity);

/// <summary>
/// The templates of one model, searched 1:N for the one closest to a probe. Immutable, so any number of threads
/// may search it at once; a change (<see cref="Change"/>) returns a new index and the caller swaps it in.
/// </summary>
/// <remarks>
/// Each template is held twice, contiguously: as floats, and as int8 with a scale of its own. A search reads the
/// int8 copy once (a quarter of the bytes), keeps the few templates that can still be the best, and ranks those on
/// their floats. The int8 score of a template differs from its float score by at most a bound computed from the
/// rounding of every template and of the probe; when that bound cannot rule out a template left behind, the search
/// falls back to reading every float. So <see cref="Best"/> always returns what an exact float search returns.
/// </remarks>
public sealed class FaceIndex
{
    private const int Candidates = 16;

    private readonly Guid[] _ids;
    private readonly float[] _vectors;
    private readonly sbyte[] _codes;
    private readonly float[] _scales;

    // The largest rounding error ‖x − s·q‖ of any template and the largest norm ‖s·q‖ of any rounded template.
    private readonly float _maxError;
    private readonly float _maxRoundedNorm;

    private FaceIndex(
        string model, int dimension, Guid[] ids, float[] vectors, sbyte[] codes, float[] scales, (float Error, float Norm) rounding, int skipped)
    {
        Model = model;
        Dimension = dimension;
        _ids = ids;
        _vectors = vectors;
        _codes = codes;
        _scales = scales;
        (_maxError, _maxRoundedNorm) = rounding;
        Skipped = skipped;
    }

    /// <summary>The model whose templates this index holds; probes of another model are refused.</summary>
    public string Model { get; }

    /// <summary>Length of each template (0 while the index is empty).</summary>
    public int Dimension { get; }

    /// <summary>Templates in the index.</summary>
    public int Count => _ids.Length;

    /// <summary>Templates left out when the index was built: made by another model, or holding values that are not finite.</summary>
    public int Skipped { get; }

    /// <summary>Memory the index holds per template: floats, int8 codes, the scale and the credential's id.</summary>
    public int BytesPerPerson => Dimension * sizeof(float) + Dimension + sizeof(float) + 16;

    /// <summary>An index of no templates.</summary>
    public static FaceIndex Empty(string model) => Build(model, []);

    /// <summary>
    /// Builds an index of the templates of <paramref name="model"/>; templates of any other model, or with a value
    /// that is not finite, are left out (and counted in <see cref="Skipped"/>). A credential listed twice keeps its last template.
    /// </summary>
    /// <exception cref="ArgumentException">The templates of the model are not all of one length.</exception>
    public static FaceIndex Build(string model, IEnumerable<(Guid CredentialId, FaceTemplate Template)> templates)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentNullException.ThrowIfNull(templates);
        var rows = new List<(Guid Id, float[] Vector)>();
        var positions = new Dictionary<Guid, int>();
        var skipped = 0;
        foreach (var (id, template) in templates)
        {
            ArgumentNullException.ThrowIfNull(template);
            if (template.Model != model || !float.IsFinite(TensorPrimitives.Sum<float>(template.Vector)))
            {
                skipped++;
                continue;
            }

            if (positions.TryGetValue(id, out var at))
            {
                rows[at] = (id, template.Vector);
            }
            else
            {
                positions.Add(id, rows.Count);
                rows.Add((id, template.Vector));
            }
        }

        return FromRows(model, rows, skipped);
    }

    /// <summary>
    /// A new index with <paramref name="removed"/> taken out and <paramref name="upserted"/> added or replaced; this
    /// index is left as it was. Kept templates are copied as they are (no rounding again), so a change costs a
    /// copy of the index's memory. Templates of another model are left out.
    /// </summary>
    public FaceIndex Change(IEnumerable<(Guid CredentialId, FaceTemplate Template)> upserted, IEnumerable<Guid> removed)
    {
        ArgumentNullException.ThrowIfNull(upserted);
        ArgumentNullException.ThrowIfNull(removed);
        var added = Build(Model, upserted);
        if (added.Count > 0 && Count > 0 && added.Dimension != Dimension)
            throw new ArgumentException($"Templates of {Model} have {Dimension} values, not {added.Dimension}.", nameof(upserted));
        var gone = new HashSet<Guid>(removed);
        gone.UnionWith(added._ids);
        var keep = new List<int>(Count);
        for (var row = 0; row < Count; row++)
        {
            if (!gone.Contains(_ids[row]))
                keep.Add(row);
        }

        var dimension = Count > 0 ? Dimension : added.Dimension;
        var count = keep.Count + added.Count;
        var ids = new Guid[count];
        var vectors = GC.AllocateUninitializedArray<float>(count * dimension);
        var codes = GC.AllocateUninitializedArray<sbyte>(count * dimension);
        var scales = new float[count];
        var to = 0;
        foreach (var row in keep)
        {
            ids[to] = _ids[row];
            scales[to] = _scales[row];
            Row(row).CopyTo(vectors.AsSpan(to * dimension, dimension));
            Code(row).CopyTo(codes.AsSpan(to * dimension, dimension));
            to++;
        }

        added._ids.CopyTo(ids, to);
        added._scales.CopyTo(scales, to);
        added._vectors.CopyTo(vectors, to * dimension);
        added._codes.CopyTo(codes, to * dimension);
        // The rounding bounds of this index still hold for the templates kept (a subset), so nothing is measured again.
        var rounding = (MathF.Max(_maxError, added._maxError), MathF.Max(_maxRoundedNorm, added._maxRoundedNorm));
        return new FaceIndex(Model, count > 0 ? dimension : 0, ids, vectors, codes, scales, rounding, added.Skipped);
    }

    /// <summary>
    /// The template most similar to <paramref name="probe"/> if its similarity is at least
    /// <paramref name="threshold"/>, else null. Equal similarities go to the template added first.
    /// </summary>
    /// <exception cref="ArgumentException">The probe is of another model or of another length.</exception>
    public FaceMatch? Best(FaceTemplate probe, float threshold) => Search(probe, threshold, out _);

    /// <summary>The same answer as <see cref="Best"/>, reading every float (the reference for tests and benchmarks).</summary>
    internal FaceMatch? BestExact(FaceTemplate probe, float threshold)
    {
        Check(probe);
        if (Count == 0)
            return null;
        var (row, similarity) = ExactScan(probe.Vector);
        return similarity >= threshold ? new FaceMatch(_ids[row], similarity) : null;
    }

    /// <summary><see cref="Best"/>, saying whether the int8 pass had to fall back to reading every float.</summary>
    internal FaceMatch? Search(FaceTemplate probe, float threshold, out bool fellBack)
    {
        Check(probe);
        fellBack = false;
        if (Count == 0)
            return null;
        var dimension = Dimension;
        var vector = probe.Vector;
        Span<sbyte> probeCode = dimension <= 4096 ? stackalloc sbyte[dimension] : new sbyte[dimension];
        Span<float> scratch = dimension <= 4096 ? stackalloc float[dimension] : new float[dimension];
        var (probeScale, probeError, _) = Quantise(vector, probeCode, scratch);
        var probeNorm = MathF.Sqrt(TensorPrimitives.Dot<float>(vector, vector));

        // |x·p − x̂·p̂| ≤ ‖x − x̂‖‖p‖ + ‖x̂‖‖p − p̂‖, plus a margin for the float arithmetic of both scores.
        var bound = _maxError * probeNorm + _maxRoundedNorm * probeError + 1e-4f;
        var floor = threshold - bound;

        Span<byte> magnitudes = dimension <= 4096 ? stackalloc byte[dimension] : new byte[dimension];
        for (var i = 0; i < dimension; i++)
            magnitudes[i] = (byte)Math.Abs((int)probeCode[i]);

        // The best few by their int8 score, in descending order; a template left out scores at most `admit`.
        Span<float> keptScores = stackalloc float[Candidates];
        Span<int> keptRows = stackalloc int[Candidates];
        var kept = 0;
        var admit = floor;
        for (var row = 0; row < Count; row++)
        {
            var score = DotInt8(Code(row), probeCode, magnitudes) * (_scales[row] * probeScale);
            if (score < admit)
                continue;
            var at = kept < Candidates ? kept++ : Candidates - 1;
            while (at > 0 && keptScores[at - 1] < score)
            {
                keptScores[at] = keptScores[at - 1];
                keptRows[at] = keptRows[at - 1];
                at--;
            }

            keptScores[at] = score;
            keptRows[at] = row;
            if (kept == Candidates)
                admit = MathF.Max(floor, keptScores[Candidates - 1]);
        }

        if (kept == 0)
            return null;

        var bestRow = -1;
        var best = float.NegativeInfinity;
        for (var i = 0; i < kept; i++)
        {
            var row = keptRows[i];
            var similarity = TensorPrimitives.Dot<float>(Row(row), vector);
            if (similarity > best || (similarity == best && row < bestRow))
            {
                best = similarity;
                bestRow = row;
            }
        }

        // A template left out scores at most admit + bound exactly. When that could reach the best (or the threshold
        // when the best is below it), only reading every float gives the exact answer.
        if (kept == Candidates && admit + bound >= MathF.Max(best, threshold))
        {
            fellBack = true;
            (bestRow, best) = ExactScan(vector);
        }

        return best >= threshold ? new FaceMatch(_ids[bestRow], best) : null;
    }

    /// <summary>An index over vectors already laid out one after another (taken, not copied): for the benchmarks.</summary>
    internal static FaceIndex FromContiguous(string model, Guid[] ids, float[] vectors)
    {
        var dimension = ids.Length > 0 ? vectors.Length / ids.Length : 0;
        var (codes, scales, rounding) = QuantiseAll(vectors, ids.Length, dimension);
        return new FaceIndex(model, dimension, ids, vectors, codes, scales, rounding, 0);
    }

    internal ReadOnlySpan<float> Vectors => _vectors;

    internal ReadOnlySpan<sbyte> Codes => _codes;

    private ReadOnlySpan<float> Row(int row) => _vectors.AsSpan(row * Dimension, Dimension);

    private ReadOnlySpan<sbyte> Code(int row) => _codes.AsSpan(row * Dimension, Dimension);

    private (int Row, float Similarity) ExactScan(ReadOnlySpan<float> vector)
    {
        var bestRow = 0;
        var best = float.NegativeInfinity;
        for (var row = 0; row < Count; row++)
        {
            var similarity = TensorPrimitives.Dot(Row(row), vector);
            if (similarity > best)
            {
                best = similarity;
                bestRow = row;
            }
        }

        return (bestRow, best);
    }

    private void Check(FaceTemplate probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        if (probe.Model != Model)
            throw new ArgumentException($"A template of {probe.Model} cannot be searched among templates of {Model}.", nameof(probe));
        if (Count > 0 && probe.Vector.Length != Dimension)
            throw new ArgumentException($"Templates of {Model} have {Dimension} values, not {probe.Vector.Length}.", nameof(probe));
    }

    private static FaceIndex FromRows(string model, List<(Guid Id, float[] Vector)> rows, int skipped)
    {
        var dimension = rows.Count > 0 ? rows[0].Vector.Length : 0;
        if (rows.Count > 0 && dimension == 0)
            throw new ArgumentException("A template has no values.", nameof(rows));
        var ids = new Guid[rows.Count];
        var vectors = GC.AllocateUninitializedArray<float>(rows.Count * dimension);
        for (var row = 0; row < rows.Count; row++)
        {
            var (id, vector) = rows[row];
            if (vector.Length != dimension)
                throw new ArgumentException($"Templates of {model} have {dimension} values, not {vector.Length}.", nameof(rows));
            ids[row] = id;
            vector.CopyTo(vectors.AsSpan(row * dimension, dimension));
        }

        var (codes, scales, rounding) = QuantiseAll(vectors, rows.Count, dimension);
        return new FaceIndex(model, dimension, ids, vectors, codes, scales, rounding, skipped);
    }

    private static (sbyte[] Codes, float[] Scales, (float Error, float Norm) Rounding) QuantiseAll(float[] vectors, int count, int dimension)
    {
        var codes = GC.AllocateUninitializedArray<sbyte>(count * dimension);
        var scales = new float[count];
        var scratch = new float[dimension];
        float maxError = 0, maxNorm = 0;
        for (var row = 0; row < count; row++)
        {
            var (scale, error, norm) = Quantise(vectors.AsSpan(row * dimension, dimension), codes.AsSpan(row * dimension, dimension), scratch);
            scales[row] = scale;
            maxError = MathF.Max(maxError, error);
            maxNorm = MathF.Max(maxNorm, norm);
        }

        return (codes, scales, (maxError, maxNorm));
    }

    /// <summary>
    /// Rounds a vector to int8 codes in −127…127 with one scale (largest magnitude ÷ 127). Returns the scale, the
    /// rounding error ‖x − s·q‖ and the rounded vector's norm ‖s·q‖, both made a little larger so that they stay
    /// bounds despite the float arithmetic.
    /// </summary>
    private static (float Scale, float Error, float Norm) Quantise(ReadOnlySpan<float> vector, Span<sbyte> codes, Span<float> scratch)
    {
        var largest = vector.Length == 0 ? 0f : TensorPrimitives.MaxMagnitude(vector);
        if (largest == 0 || !float.IsFinite(largest))
        {
            codes.Clear();
            var norm = float.IsFinite(largest) ? 0 : float.PositiveInfinity;
            return (0, norm, 0);
        }

        var scale = largest / 127f;
        var rounded = scratch[..vector.Length];
        TensorPrimitives.Multiply(vector, 127f / largest, rounded);
        TensorPrimitives.Round(rounded, rounded);
        TensorPrimitives.Clamp(rounded, -127f, 127f, rounded);
        TensorPrimitives.ConvertTruncating<float, sbyte>(rounded, codes);
        TensorPrimitives.Multiply(rounded, scale, rounded);
        var error = TensorPrimitives.Distance<float>(vector, rounded);
        var normOfRounded = TensorPrimitives.Norm<float>(rounded);
        return (scale, error * 1.001f + 1e-6f, normOfRounded * 1.001f + 1e-6f);
    }

    /// <summary>Σ code·probe in int32. <paramref name="magnitudes"/> is |probe| as unsigned bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int DotInt8(ReadOnlySpan<sbyte> code, ReadOnlySpan<sbyte> probe, ReadOnlySpan<byte> magnitudes)
    {
        var length = code.Length;
        var sum = 0;
        var i = 0;
        if (Avx2.IsSupported && length >= Vector256<sbyte>.Count)
        {
            // The probe's sign moves onto the code (vpsignb), so the multiply is |probe| (u8) × ±code (s8): each pair
            // of products is at most 2 × 127 × 127 and never saturates the 16-bit sums of vpmaddubsw.
            ref var c = ref MemoryMarshal.GetReference(code);
            ref var p = ref MemoryMarshal.GetReference(probe);
            ref var m = ref MemoryMarshal.GetReference(magnitudes);
            var ones = Vector256.Create((short)1);
            var acc0 = Vector256<int>.Zero;
            var acc1 = Vector256<int>.Zero;
            for (; i + 2 * Vector256<sbyte>.Count <= length; i += 2 * Vector256<sbyte>.Count)
            {
                var signed0 = Avx2.Sign(Vector256.LoadUnsafe(ref c, (nuint)i), Vector256.LoadUnsafe(ref p, (nuint)i));
                var signed1 = Avx2.Sign(Vector256.LoadUnsafe(ref c, (nuint)(i + 32)), Vector256.LoadUnsafe(ref p, (nuint)(i + 32)));
                acc0 = Avx2.Add(acc0, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref m, (nuint)i), signed0), ones));
                acc1 = Avx2.Add(acc1, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref m, (nuint)(i + 32)), signed1), ones));
            }

            for (; i + Vector256<sbyte>.Count <= length; i += Vector256<sbyte>.Count)
            {
                var signed = Avx2.Sign(Vector256.LoadUnsafe(ref c, (nuint)i), Vector256.LoadUnsafe(ref p, (nuint)i));
                acc0 = Avx2.Add(acc0, Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref m, (nuint)i), signed), ones));
            }

            sum = Vector256.Sum(Avx2.Add(acc0, acc1));
        }
        else if (Vector128.IsHardwareAccelerated && length >= Vector128<sbyte>.Count)
        {
            sum = DotInt8Portable(code, probe, ref i);
        }

        for (; i < length; i++)
            sum += code[i] * probe[i];
        return sum;
    }

    /// <summary>The int8 dot product with portable 128-bit vectors (ARM devices, CPUs without AVX2); advances i.</summary>
    internal static int DotInt8Portable(ReadOnlySpan<sbyte> code, ReadOnlySpan<sbyte> probe, ref int i)
    {
        ref var c = ref MemoryMarshal.GetReference(code);
        ref var p = ref MemoryMarshal.GetReference(probe);
        var acc = Vector128<int>.Zero;
        for (; i + Vector128<sbyte>.Count <= code.Length; i += Vector128<sbyte>.Count)
        {
            var (cLow, cHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref c, (nuint)i));
            var (pLow, pHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref p, (nuint)i));
            var products = (cLow * pLow, cHigh * pHigh);
            var (a, b) = Vector128.Widen(products.Item1);
            var (d, e) = Vector128.Widen(products.Item2);
            acc += a + b + d + e;
        }

        return Vector128.Sum(acc);
    }
}
