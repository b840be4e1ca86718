using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Door;
using Gatehouse.Device.Events;
using Gatehouse.Device.Hardware;
using Gatehouse.Device.Mqtt;
using Gatehouse.Device.Simulator;
using Gatehouse.Device.Store;
using Gatehouse.Device.Sync;
using Gatehouse.Faces;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Device.Tests;

/// <summary>
/// The agent's parts wired together as the host wires them, on a temporary data directory and a fake
/// clock, with the simulated hardware and an outbox that keeps what would go to the broker.
/// </summary>
internal sealed class DeviceRig : IDisposable
{
    /// <summary>Monday 9 March 2026, 10:00 UTC.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 9, 10, 0, 0, TimeSpan.Zero);

    public DeviceRig(
        string? dataDirectory = null, int eventCapacity = 100_000, SyncOptions? syncOptions = null, DeviceFaceKey? faceKey = null, FaceEngineLoad? faces = null, ICamera? camera = null)
    {
        Camera = camera ?? new SimulatedCamera();
        FaceEngine = faces ?? new FaceEngineLoad(null, "The test rig has no face models.");
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "gatehouse-device-tests", Guid.NewGuid().ToString("N"));
        Store = DeviceStore.Open(DataDirectory);
        Events = EventQueue.Open(DataDirectory, eventCapacity, NullLogger<EventQueue>.Instance);
        Sync = new SyncApplier(Store, Engine, Clock, Options.Create(syncOptions ?? new SyncOptions()), NullLogger<SyncApplier>.Instance, faceKey);
        Sync.Load();
        var doorOptions = Options.Create(new DoorOptions());
        Locks = new LockControl(Relay, Clock, doorOptions);
        Speaker = new SimulatedSpeaker(Options.Create(new SpeakerOptions { Voice = false }), NullLogger<SimulatedSpeaker>.Instance);
        Feedback = new Feedback(Led, Speaker, Clock, doorOptions);
        Identity = new DeviceIdentity(new Gatehouse.Core.DeviceProtocol.ClaimResponse(
            DeviceId, OrganizationId, "Front desk", "F3D100", new Gatehouse.Core.DeviceProtocol.BrokerEndpoint("127.0.0.1", 9, false), "device", "rig-password"));
        Mobile = new MobileTokens(Store, Identity, Options.Create(new MobileOptions()));
        Door = new DoorController(Engine, Events, Locks, Feedback, Clock, NullLogger<DoorController>.Instance, faces, doorOptions, Mobile);
        FaceKey = faceKey ?? new DeviceFaceKey(FaceTemplateSeal.DeriveKeyFromPassword("rig-password", DeviceId), FaceEngine.Engine?.Model);
        Enrollments = new Enrollments(Feedback, Camera, FaceEngine, FaceKey, Outbox, Clock, NullLogger<Enrollments>.Instance);
        Commands = new CommandHandler(Door, Enrollments, Outbox, Clock, NullLogger<CommandHandler>.Instance);
        Reader.Attach((read, _) => Task.FromResult(Enrollments.TryCapture(read) ?? Door.Decide(read)));
    }

    public string DataDirectory { get; }

    public FakeTimeProvider Clock { get; } = new(Start);

    public ICamera Camera { get; }

    public FaceEngineLoad FaceEngine { get; }

    /// <summary>The rig's device ID: its face key is derived from it and the password <c>rig-password</c>.</summary>
    public static Guid DeviceId { get; } = Guid.Parse("0195f0a0-0000-7000-8000-00000000d001");

    /// <summary>The rig's organization: the audience of the phone tokens it accepts.</summary>
    public static Guid OrganizationId { get; } = Guid.Parse("0195f0a0-0000-7000-8000-00000000a001");

    public DeviceIdentity Identity { get; }

    public MobileTokens Mobile { get; }

    /// <summary>The key of the device's face templates and face enrollment frames.</summary>
    public DeviceFaceKey FaceKey { get; }

    public DeviceStore Store { get; }

    public EventQueue Events { get; }

    public AccessEngine Engine { get; } = new();

    public SyncApplier Sync { get; }

    public SimulatedLockRelay Relay { get; } = new();

    public SimulatedLed Led { get; } = new();

    public SimulatedSpeaker Speaker { get; }

    public SimulatedCardReader Reader { get; } = new();

    public LockControl Locks { get; }

    public Feedback Feedback { get; }

    public DoorController Door { get; }

    public Enrollments Enrollments { get; }

    public CommandHandler Commands { get; }

    public RecordingOutbox Outbox { get; } = new();

    public Task<TapOutcome> TapAsync(string card, Guid? doorId = null) =>
        Reader.TapAsync(new CardRead(Gatehouse.Core.Cards.CardIdentity.Parse(card), doorId), CancellationToken.None);

    /// <summary>Applies a one-part snapshot at <paramref name="version"/>.</summary>
    public SyncResult Snapshot(long version, SyncData data) => Sync.Handle(new SyncMessage(SyncKind.Snapshot, version, 0, 0, 1, data));

    public SyncResult Delta(long fromVersion, long version, SyncData data) => Sync.Handle(new SyncMessage(SyncKind.Delta, version, fromVersion, 0, 1, data));

    /// <summary>Closes the store and the queue (keeping the files), as a stopped agent would.</summary>
    public void Close()
    {
        Enrollments.Dispose();
        Feedback.Dispose();
        Locks.Dispose();
        Events.Dispose();
        Store.Dispose();
        Speaker.Dispose();
    }

    public void Dispose()
    {
        Close();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>An <see cref="IDeviceOutbox"/> that keeps what it is given.</summary>
internal sealed class RecordingOutbox : IDeviceOutbox
{
    private readonly List<object> _sent = [];

    public IReadOnlyList<object> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    public IEnumerable<T> OfType<T>() => Sent.OfType<T>();

    public void Send(DeviceReply reply)
    {
        lock (_sent)
        {
            _sent.Add(reply);
        }
    }

    public void Send(SyncRequest request)
    {
        lock (_sent)
        {
            _sent.Add(request);
        }
    }
}
