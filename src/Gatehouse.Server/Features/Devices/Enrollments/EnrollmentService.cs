using Gatehouse.Core.DeviceProtocol;

namespace Gatehouse.Server.Features.Devices.Enrollments;

/// <summary>Enrolling credentials at a device: started by an admin, completed by what the device captures.</summary>
internal sealed class EnrollmentService
{
    /// <summary>
    /// Takes what <paramref name="deviceId"/> captured for an enrollment (the current organization must be
    /// the device's): makes the credential, or fails the enrollment, and tells the device the outcome.
    /// </summary>
    public Task CaptureAsync(Guid deviceId, EnrollmentCapturedReply reply, CancellationToken ct) =>
        throw new NotSupportedException("Enrollment at a device is not built yet.");
}
