using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gatehouse.Core.Mobile;
using Gatehouse.Server.Features.Events;
using Microsoft.EntityFrameworkCore;

namespace Gatehouse.DeviceLoad;

/// <summary>
/// Online unlocks by a phone over HTTP on loopback, as the app makes them: <c>POST
/// /api/v1/public/mobile/{credentialId}/challenge</c>, the phone's P-256 signature of
/// <c>gatehouse:unlock:{credentialId}:{challenge}:{doorId}</c>, then <c>POST …/unlock</c> (find the active
/// credential, verify the signature, spend the challenge in the store, decide with the engine, send an
/// <c>UnlockCommand</c> to the door's device through the MQTT gateway and wait for its confirmation), against
/// the baseline of <c>POST /api/v1/access/decisions</c> for the same user's card at the same door, measured the
/// same way in the same run (<see cref="HttpLoad"/>). One unlock is one door opened: the challenge, the signature
/// and the unlock request; each request's latency is reported too.
///
/// The credential is activated as a phone does it: the code from the welcome email's link, and a fresh P-256 key's
/// public JWK. One real agent is online for the door and every answered unlock is checked against the events
/// the device reported (<see cref="CarriedOutUnlocks"/>).
/// </summary>
internal sealed class MobileBenchmark(LoadServer server, int concurrency, TimeSpan duration, TimeSpan warmUp, TextWriter output)
{
    private readonly HttpLoad _load = new(server, concurrency);

    public async Task RunAsync()
    {
        output.WriteLine(UnlockScene.Heading("Mobile online unlock", concurrency, duration, warmUp, server));
        var scene = await UnlockScene.NewAsync(server, "Mobile load");
        var owner = scene.Organization.Owner;
        var (credentialId, phoneKey) = await Phones.NewActivatedAsync(server, scene.Organization, scene.UserId);
        using var key = phoneKey;

        await using var fleet = await Fleet.StartAsync(server, scene.Organization, scene.Building, UnlockScene.SetupTimeout);
        var agent = fleet.Agents[0];
        var carriedOut = new CarriedOutUnlocks(agent);

        using var decisions = _load.NewClient(owner.DefaultRequestHeaders.Authorization);
        using var phones = _load.NewClient(null);
        var decisionBody = scene.DecisionBody;
        using var phone = new Phone(phones, credentialId, scene.DoorId, key.ExportParameters(includePrivateParameters: true), concurrency);

        // One of each, checked for what it answers, before anything is timed.
        await HttpLoad.ExpectGrantedAsync(decisions, UnlockScene.DecisionsUrl, decisionBody, "granted");
        if (!await phone.UnlockAsync(0, null))
        {
            throw new InvalidOperationException("The phone's first unlock did not answer 200.");
        }

        // Warm-up of both, then the measured runs: the baseline, the unlock, and the baseline again.
        await _load.PostAsync(decisions, UnlockScene.DecisionsUrl, decisionBody, warmUp, null);
        await _load.RunAsync(warmUp, worker => phone.UnlockAsync(worker, null));
        var decisionRun = await _load.PostAsync(decisions, UnlockScene.DecisionsUrl, decisionBody, duration, null);
        phone.Reset();
        var answered = new ConcurrentBag<Guid>();
        var unlockRun = await _load.RunAsync(duration, worker => phone.UnlockAsync(worker, answered));
        var decisionAgain = await _load.PostAsync(decisions, UnlockScene.DecisionsUrl, decisionBody, duration, null);

        var reported = await carriedOut.CountAsync(answered, UnlockScene.DrainTimeout);
        var stored = await server.InOrganizationAsync(scene.Organization.Id, (db, _) =>
            db.AccessEvents.CountAsync(e => e.Source == AccessEventSource.Mobile && e.Granted));

        output.WriteLine();
        output.WriteLine(LoadRun.Header);
        output.WriteLine(decisionRun.Row("`POST /api/v1/access/decisions` (baseline)"));
        output.WriteLine(unlockRun.Row("Online unlock: challenge + sign + unlock (one door opened)"));
        output.WriteLine(phone.Step(phone.Challenges, unlockRun).Row("… of which `POST /api/v1/public/mobile/{credentialId}/challenge`"));
        output.WriteLine(phone.Step(phone.Signatures, unlockRun).Row("… of which the phone's P-256 signature (in process)"));
        output.WriteLine(phone.Step(phone.Unlocks, unlockRun).Row("… of which `POST /api/v1/public/mobile/{credentialId}/unlock`"));
        output.WriteLine(decisionAgain.Row("`POST /api/v1/access/decisions` (baseline, again after)"));
        output.WriteLine();
        foreach (var line in UnlockScene.Ratios(unlockRun, decisionRun, decisionAgain))
        {
            output.WriteLine(line);
        }

        output.WriteLine(CarriedOutUnlocks.Sentence("200 `unlocked`", answered.Count, reported));
        output.WriteLine(
            $"Granted mobile access events stored (check, warm-up and measured runs): {stored}; the device's event queue holds {agent.Events.Count} unsent, dropped {agent.Events.Dropped}.");
        output.WriteLine();
    }

    /// <summary>
    /// The app's online unlock, one per worker at a time: each worker signs with its own copy of the phone's key
    /// and keeps its own samples of each step, merged when a run is reported.
    /// </summary>
    private sealed class Phone(HttpClient client, Guid credentialId, Guid doorId, ECParameters key, int workers) : IDisposable
    {
        private readonly ECDsa[] _keys = [.. Enumerable.Range(0, workers).Select(_ => ECDsa.Create(key))];
        private readonly string _challengeUrl = $"/api/v1/public/mobile/{credentialId}/challenge";
        private readonly string _unlockUrl = $"/api/v1/public/mobile/{credentialId}/unlock";
        private Samples[] _challenges = NewSamples(workers);
        private Samples[] _signatures = NewSamples(workers);
        private Samples[] _unlocks = NewSamples(workers);
        private int _challengeFailures;
        private int _unlockFailures;

        public (Samples Samples, int Failures) Challenges => (Samples.Merge(_challenges), _challengeFailures);

        public (Samples Samples, int Failures) Signatures => (Samples.Merge(_signatures), 0);

        public (Samples Samples, int Failures) Unlocks => (Samples.Merge(_unlocks), _unlockFailures);

        /// <summary>One step's row over the whole run's time.</summary>
        public LoadRun Step((Samples Samples, int Failures) step, LoadRun run) => new(step.Samples, step.Failures, run.Elapsed);

        /// <summary>Forgets the samples so far (the check and the warm-up).</summary>
        public void Reset()
        {
            _challenges = NewSamples(workers);
            _signatures = NewSamples(workers);
            _unlocks = NewSamples(workers);
            _challengeFailures = _unlockFailures = 0;
        }

        /// <summary>Challenge, signature and unlock; true when the unlock answered 200, whose event ID goes to <paramref name="eventIds"/>.</summary>
        public async Task<bool> UnlockAsync(int worker, ConcurrentBag<Guid>? eventIds)
        {
            var start = Stopwatch.GetTimestamp();
            string challenge;
            using (var response = await client.SendAsync(HttpLoad.Post(_challengeUrl, null)))
            {
                var payload = await response.Content.ReadAsByteArrayAsync();
                _challenges[worker].AddElapsed(start, Stopwatch.GetTimestamp());
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _challengeFailures);
                    return false;
                }

                using var answer = JsonDocument.Parse(payload);
                challenge = answer.RootElement.GetProperty("challenge").GetString()!;
            }

            var signing = Stopwatch.GetTimestamp();
            var signature = MobileProof.Sign(_keys[worker], MobileProof.Message(MobileProofPurpose.Unlock, credentialId, challenge, doorId));
            var sending = Stopwatch.GetTimestamp();
            _signatures[worker].AddElapsed(signing, sending);
            var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { doorId, challenge, signature }));
            using var unlock = await client.SendAsync(HttpLoad.Post(_unlockUrl, body));
            var unlocked = await unlock.Content.ReadAsByteArrayAsync();
            _unlocks[worker].AddElapsed(sending, Stopwatch.GetTimestamp());
            if (!unlock.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _unlockFailures);
                return false;
            }

            eventIds?.Add(HttpLoad.EventId(unlocked));
            return true;
        }

        public void Dispose()
        {
            foreach (var copy in _keys)
            {
                copy.Dispose();
            }
        }

        private static Samples[] NewSamples(int count) => [.. Enumerable.Range(0, count).Select(_ => new Samples(""))];
    }
}
