using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Faces;

namespace Gatehouse.Benchmarks.Faces;

/// <summary>
/// <c>-- faces-snapshot [--people N]</c>: a full snapshot of N people to a new device, each with one face, beside the
/// same N people each with one card, in the same run. The server's side: sealing every template for the device
/// (AES-256-GCM under its key) and writing the parts as the gateway does (a card counts as one record of a part of
/// 2,000, a face as twenty); the device's side: reading the parts, opening every template and building its
/// <see cref="FaceIndex"/>. Bytes are the JSON of every part.
/// </summary>
internal static class FaceSnapshotSize
{
    private const int PartSize = 2_000, FaceWeight = 20;
    private const string Model = "fr_feature@87aacdfe57510db2";

    public static void Run(string[] args)
    {
        var i = Array.IndexOf(args, "--people");
        var people = i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : 100_000;
        var deviceId = Guid.NewGuid();
        var key = FaceTemplateSeal.DeriveKeyFromPassword("a device's MQTT password", deviceId);
        var random = new Random(11);
        var users = Enumerable.Range(0, people).Select(_ => new SyncUser(Guid.NewGuid(), false, [Guid.NewGuid()])).ToList();
        var vectors = users.Select(_ => Unit(random)).ToList();

        Console.WriteLine($"# Snapshot of {people:N0} people to a new device; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine("| Credentials | Parts | Bytes | Bytes per person | Server: seal + write | Device: read + open + index |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        for (var round = 0; round < 2; round++)
        {
            var cards = Measure(users, u => new SyncCredential(Guid.NewGuid(), u.Id, "card", false, Card: $"H10301:1:{u.Id.GetHashCode() & 0xFFFF}"), 1, null, null);
            var faces = Measure(users, u => new SyncCredential(Guid.NewGuid(), u.Id, "face", false, Face: new SyncFace(Model)), FaceWeight, key, vectors);
            if (round == 1)
            {
                Print("cards", cards, people);
                Print("faces", faces, people);
            }
        }
    }

    private static (int Parts, long Bytes, double ServerMs, double DeviceMs) Measure(
        List<SyncUser> users, Func<SyncUser, SyncCredential> credentialOf, int weight, byte[]? key, List<float[]>? vectors)
    {
        var credentials = users.Select(credentialOf).ToList();
        var start = Stopwatch.GetTimestamp();
        var messages = new List<byte[]>();
        var perPart = PartSize / weight;
        var userParts = users.Chunk(PartSize).ToList();
        var credentialParts = credentials.Select((c, n) => (c, n)).Chunk(perPart).ToList();
        var total = userParts.Count + credentialParts.Count;
        foreach (var part in userParts)
            messages.Add(Write(new SyncData(Users: part), messages.Count, total));
        foreach (var part in credentialParts)
        {
            var sealedPart = part.Select(p => p.c.Face is { } face && key is not null
                ? p.c with { Face = face with { Template = FaceTemplateSeal.Seal(key, p.c.Id, Model, vectors![p.n]) } }
                : p.c).ToList();
            messages.Add(Write(new SyncData(Credentials: sealedPart), messages.Count, total));
        }
        var serverMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        start = Stopwatch.GetTimestamp();
        var templates = new List<(Guid, FaceTemplate)>();
        foreach (var bytes in messages)
        {
            var message = JsonSerializer.Deserialize(bytes, DeviceProtocolJson.Default.SyncMessage)!;
            foreach (var c in message.Data.Credentials ?? [])
            {
                if (c.Face is { } face && key is not null && FaceTemplateSeal.Open(key, c.Id, face.Model, face.Template) is { } vector)
                    templates.Add((c.Id, new FaceTemplate(Model, vector)));
            }
        }
        if (templates.Count > 0)
            FaceIndex.Build(Model, templates);
        var deviceMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return (messages.Count, messages.Sum(m => (long)m.Length), serverMs, deviceMs);
    }

    private static byte[] Write(SyncData data, int part, int parts) =>
        JsonSerializer.SerializeToUtf8Bytes(new SyncMessage(SyncKind.Snapshot, 1, 0, part + 1, parts, data), DeviceProtocolJson.Default.SyncMessage);

    private static void Print(string label, (int Parts, long Bytes, double ServerMs, double DeviceMs) r, int people) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {r.Parts} | {r.Bytes / 1024.0 / 1024.0:0.0} MiB | {r.Bytes / (double)people:0} B | {r.ServerMs:0} ms | {r.DeviceMs:0} ms |"));

    private static float[] Unit(Random random)
    {
        var v = new float[512];
        for (var k = 0; k < v.Length; k++)
            v[k] = (float)(random.NextDouble() * 2 - 1);
        System.Numerics.Tensors.TensorPrimitives.Divide(v, System.Numerics.Tensors.TensorPrimitives.Norm<float>(v), v);
        return v;
    }
}
