using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Faces;

namespace Gatehouse.Device.Sync;

/// <summary>The key that opens this device's face templates, and the model its face engine runs (null: none).</summary>
internal sealed record DeviceFaceKey(byte[] Key, string? Model);

/// <summary>
/// The face templates the door identifies against: those of the synced face credentials, opened into memory only
/// (the store keeps them sealed), of the engine's model only. Built with each <see cref="AccessView"/> and replaced
/// with it. Identification is <see cref="FaceIndex"/>'s 1:N search, whose best match is the exact float search's.
/// </summary>
internal sealed class FaceGallery
{
    private readonly FaceIndex? _index;

    private FaceGallery(FaceIndex? index) => _index = index;

    public static FaceGallery Empty { get; } = new(null);

    /// <summary>How many templates the door can identify.</summary>
    public int Count => _index?.Count ?? 0;

    /// <summary>The gallery of <paramref name="templates"/> of <paramref name="model"/> (vectors of another length than the first are left out).</summary>
    public static FaceGallery Build(string model, IReadOnlyList<(Guid CredentialId, float[] Vector)> templates)
    {
        if (templates.Count == 0)
        {
            return Empty;
        }

        var dimension = templates[0].Vector.Length;
        return new FaceGallery(FaceIndex.Build(
            model, templates.Where(t => t.Vector.Length == dimension).Select(t => (t.CredentialId, new FaceTemplate(model, t.Vector)))));
    }

    /// <summary>
    /// The most similar template's credential and its similarity (however low: the caller applies the threshold, and
    /// an unknown face's event still says how near the nearest was), or null when the gallery is empty or the probe
    /// is of another model or length.
    /// </summary>
    public (Guid CredentialId, float Score)? Best(FaceTemplate probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        if (_index is not { Count: > 0 } index || probe.Model != index.Model || probe.Vector.Length != index.Dimension)
        {
            return null;
        }

        return index.Best(probe, float.MinValue) is { } match ? (match.CredentialId, match.Similarity) : null;
    }

    /// <summary>
    /// Opens the face templates among <paramref name="credentials"/>: those of <paramref name="key"/>'s model that open
    /// with its key. <paramref name="opened"/> caches vectors by credential and sealed text, so a delta opens only
    /// what it brought. Returns how many were left out for another model and how many did not open.
    /// </summary>
    public static (FaceGallery Gallery, int OtherModel, int Unopened) Open(
        IEnumerable<SyncCredential> credentials, DeviceFaceKey? key, Dictionary<Guid, (string Sealed, float[] Vector)> opened)
    {
        if (key?.Model is null)
        {
            // No face engine on this device: nothing to identify with, and nothing worth a warning at every sync.
            opened.Clear();
            return (Empty, 0, 0);
        }

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

            if (face.Model != key.Model)
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

        return (Build(key.Model, templates), otherModel, unopened);
    }
}
