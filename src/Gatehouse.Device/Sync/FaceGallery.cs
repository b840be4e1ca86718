using System.Numerics.Tensors;
using Gatehouse.Core.DeviceProtocol;

namespace Gatehouse.Device.Sync;

/// <summary>The key that opens this device's face templates, and the model its face engine runs (null: none).</summary>
internal sealed record DeviceFaceKey(byte[] Key, string? Model);

/// <summary>
/// The face templates the door identifies against: those of the synced face credentials, opened into memory only
/// (the store keeps them sealed), of the engine's model only. Built with each <see cref="AccessView"/> and replaced
/// with it. Identification is an exact 1:N search over contiguous vectors.
/// </summary>
internal sealed class FaceGallery
{
    private readonly Guid[] _credentials;
    private readonly float[] _vectors;
    private readonly int _dimension;

    private FaceGallery(Guid[] credentials, float[] vectors, int dimension)
    {
        _credentials = credentials;
        _vectors = vectors;
        _dimension = dimension;
    }

    public static FaceGallery Empty { get; } = new([], [], 0);

    /// <summary>How many templates the door can identify.</summary>
    public int Count => _credentials.Length;

    /// <summary>The gallery of <paramref name="templates"/> (credential ID and vector; vectors of another length are left out).</summary>
    public static FaceGallery Build(IReadOnlyList<(Guid CredentialId, float[] Vector)> templates)
    {
        if (templates.Count == 0)
        {
            return Empty;
        }

        var dimension = templates[0].Vector.Length;
        var usable = templates.Where(t => t.Vector.Length == dimension).ToList();
        var vectors = new float[usable.Count * dimension];
        for (var i = 0; i < usable.Count; i++)
        {
            usable[i].Vector.CopyTo(vectors, i * dimension);
        }

        return new FaceGallery([.. usable.Select(t => t.CredentialId)], vectors, dimension);
    }

    /// <summary>The most similar template's credential and its similarity, or null when the gallery is empty or the probe's length differs.</summary>
    public (Guid CredentialId, float Score)? Best(ReadOnlySpan<float> probe)
    {
        if (_credentials.Length == 0 || probe.Length != _dimension)
        {
            return null;
        }

        var best = -1;
        var bestScore = float.NegativeInfinity;
        for (var i = 0; i < _credentials.Length; i++)
        {
            var score = TensorPrimitives.Dot(probe, _vectors.AsSpan(i * _dimension, _dimension));
            if (score > bestScore)
            {
                bestScore = score;
                best = i;
            }
        }

        return (_credentials[best], bestScore);
    }

    /// <summary>
    /// Opens the face templates among <paramref name="credentials"/>: those of <paramref name="key"/>'s model that open
    /// with its key. <paramref name="opened"/> caches vectors by credential and sealed text, so a delta opens only
    /// what it brought. Returns how many were left out for another model and how many did not open.
    /// </summary>
    public static (FaceGallery Gallery, int OtherModel, int Unopened) Open(
        IEnumerable<SyncCredential> credentials, DeviceFaceKey? key, Dictionary<Guid, (string Sealed, float[] Vector)> opened)
    {
        var templates = new List<(Guid, float[])>();
        var otherModel = 0;
        var unopened = 0;
        var present = new HashSet<Guid>();
        foreach (var credential in credentials)
        {
            if (credential.Face is not { } face)
            {
                continue;
            }

            if (key?.Model is null || face.Model != key.Model)
            {
                otherModel++;
                continue;
            }

            present.Add(credential.Id);
            if (opened.TryGetValue(credential.Id, out var cached) && cached.Sealed == face.Template)
            {
                templates.Add((credential.Id, cached.Vector));
                continue;
            }

            if (FaceTemplateSeal.Open(key.Key, credential.Id, face.Model, face.Template) is { } vector)
            {
                opened[credential.Id] = (face.Template!, vector);
                templates.Add((credential.Id, vector));
            }
            else
            {
                unopened++;
            }
        }

        foreach (var gone in opened.Keys.Where(id => !present.Contains(id)).ToList())
        {
            opened.Remove(gone);
        }

        return (Build(templates), otherModel, unopened);
    }
}
