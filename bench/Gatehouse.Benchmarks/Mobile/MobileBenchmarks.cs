using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Gatehouse.Core;
using Gatehouse.Core.Decisions;
using Gatehouse.Core.Mobile;
using Gatehouse.Device.Hardware;
using Gatehouse.Device.Store;
using SkiaSharp;
using ZXing;
using ZXing.QrCode;

namespace Gatehouse.Benchmarks.Mobile;

/// <summary>
/// A phone's QR token at the door, after the image is decoded: reading the token, checking its signature against
/// the synced key, its audience and time, and the engine's decision for its credential — beside a card's decision
/// on the same snapshot and a bare ECDSA P-256 verify (the baselines), and the store's write of the token's ID.
/// </summary>
[MemoryDiagnoser]
[MinColumn, MedianColumn]
public class MobileTokenBenchmarks : IDisposable
{
    private const int Credentials = 100_000;
    private static readonly Guid Organization = Guid.CreateVersion7();

    private readonly ECDsa _phone = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private AccessSnapshot _snapshot = null!;
    private CredentialKey _card;
    private Guid _credentialId;
    private Guid _door;
    private byte[] _publicKey = null!;
    private ECDsa _verifier = null!;
    private string _token = null!;
    private byte[] _signingInput = null!;
    private byte[] _signature = null!;
    private string _directory = null!;
    private DeviceStore _store = null!;
    private long _jti;

    [GlobalSetup]
    public void Setup()
    {
        var data = BenchmarkData.Create(Credentials);
        _snapshot = AccessSnapshot.Build(data.Source, BenchmarkData.Clock);
        _card = data.Keys[4242];
        _credentialId = data.CredentialIds[4242];
        _door = data.DoorOfUser[4242];
        _publicKey = MobileKeys.Export(_phone);
        _verifier = MobileKeys.Import(_publicKey);
        _token = MobileToken.Create(_phone, _credentialId, Organization, BenchmarkData.At, TimeSpan.FromSeconds(30));
        var lastDot = _token.LastIndexOf('.');
        _signingInput = Encoding.ASCII.GetBytes(_token[..lastDot]);
        _signature = System.Buffers.Text.Base64Url.DecodeFromChars(_token.AsSpan(lastDot + 1));
        _directory = Path.Combine(Path.GetTempPath(), "gatehouse-bench-mobile", Guid.NewGuid().ToString("N"));
        _store = DeviceStore.Open(_directory);
        if (!CheckAndDecide().Granted || !_snapshot.Decide(_card, _door, BenchmarkData.At).Granted)
        {
            throw new InvalidOperationException("The benchmark's decisions should take the full path to a grant.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    public void Dispose()
    {
        _phone.Dispose();
        _verifier?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "Decide (card key)")]
    public AccessDecision DecideCard() => _snapshot.Decide(_card, _door, BenchmarkData.At);

    [Benchmark(Description = "ECDSA P-256 verify (key imported)")]
    public bool VerifyOnly() => _verifier.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark(Description = "QR token: read, verify, aud, time, decide")]
    public AccessDecision CheckAndDecide()
    {
        if (!MobileToken.TryRead(_token, out var token, out _) || !token.IsSignedBy(_publicKey) || token.OrganizationId != Organization
            || token.CheckTime(BenchmarkData.At, TimeSpan.FromSeconds(30)) != AccessReason.Granted)
        {
            return new AccessDecision(AccessReason.TokenInvalid);
        }

        return _snapshot.DecideCredential(token.CredentialId, _door, BenchmarkData.At);
    }

    [Benchmark(Description = "Record the token ID (SQLite)")]
    public bool RecordJti() =>
        _store.TryRecordToken(_credentialId, (++_jti).ToString("D22", System.Globalization.CultureInfo.InvariantCulture), BenchmarkData.At.AddMinutes(1), BenchmarkData.At);
}

/// <summary>
/// A 1280 × 720 JPEG camera frame scanned for a QR code: the grey decode of the JPEG, and ZXing's search on the
/// grey pixels with a phone's code in view and without one (what every face frame pays before the face pipeline).
/// </summary>
[MemoryDiagnoser]
[MinColumn, MedianColumn]
public class QrFrameBenchmarks
{
    private byte[] _withCode = null!;
    private byte[] _withoutCode = null!;
    private GreyImage _greyWithCode = null!;
    private GreyImage _greyWithoutCode = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var phone = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = MobileToken.Create(phone, Guid.CreateVersion7(), Guid.CreateVersion7(), BenchmarkData.At, TimeSpan.FromSeconds(30));
        _withCode = Frame(token);
        _withoutCode = Frame(null);
        _greyWithCode = QrCodes.Decode(_withCode)!;
        _greyWithoutCode = QrCodes.Decode(_withoutCode)!;
        if (QrCodes.Find(_greyWithCode) != token || QrCodes.Find(_greyWithoutCode) is not null)
        {
            throw new InvalidOperationException("The frame with a code should be read, the other not.");
        }
    }

    [Benchmark(Baseline = true, Description = "JPEG 1280x720 -> grey")]
    public int DecodeGrey() => QrCodes.Decode(_withCode)?.Pixels.Length ?? 0;

    [Benchmark(Description = "ZXing: frame with a QR code")]
    public string? FindWithCode() => QrCodes.Find(_greyWithCode);

    [Benchmark(Description = "ZXing: frame without a QR code")]
    public string? FindWithoutCode() => QrCodes.Find(_greyWithoutCode);

    [Benchmark(Description = "Whole scan: frame without a QR code")]
    public string? ScanWithoutCode() => QrCodes.Find(_withoutCode);

    /// <summary>A grey scene with a phone showing the code (260 px) off-centre, as a JPEG at quality 85.</summary>
    private static byte[] Frame(string? text)
    {
        using var frame = new SKBitmap(1280, 720);
        using (var canvas = new SKCanvas(frame))
        {
            canvas.Clear(new SKColor(96, 104, 112));
            using var phone = new SKPaint { Color = new SKColor(20, 20, 24) };
            canvas.DrawRoundRect(new SKRect(704, 86, 1004, 586), 24, 24, phone);
            if (text is not null)
            {
                var matrix = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 260, 260, new Dictionary<EncodeHintType, object> { [EncodeHintType.MARGIN] = 4 });
                using var white = new SKPaint { Color = SKColors.White };
                using var black = new SKPaint { Color = SKColors.Black };
                canvas.DrawRect(724, 206, matrix.Width, matrix.Height, white);
                for (var y = 0; y < matrix.Height; y++)
                {
                    for (var x = 0; x < matrix.Width; x++)
                    {
                        if (matrix[x, y])
                        {
                            canvas.DrawRect(724 + x, 206 + y, 1, 1, black);
                        }
                    }
                }
            }
        }

        using var data = frame.Encode(SKEncodedImageFormat.Jpeg, 85);
        return data.ToArray();
    }
}
