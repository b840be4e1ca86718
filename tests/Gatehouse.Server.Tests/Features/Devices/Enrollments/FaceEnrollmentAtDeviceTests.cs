using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Features.Devices.Enrollments;

/// <summary>
/// Enrolling a face at a device: the frame the device sends (sealed with its face key) becomes the user's face as a
/// photo upload would, with the consent the admin confirmed at Select; a refused frame, a device without a camera, a
/// cancel and a device going offline end it without a credential.
/// </summary>
public sealed class FaceEnrollmentAtDeviceTests(DevicesApp app) : IClassFixture<DevicesApp>
{
    [Fact]
    public async Task Enroll_DeviceSendsAGoodFrame_TheFaceIsTheUsersWithConsentConfirmedByTheAdminAndTheDeviceTurnsGreen()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync("Ana", "Lima");
        await using var device = await DeviceAsync(org);
        var email = $"desk-{Guid.NewGuid():N}@example.com";
        var admin = await org.Owner.CreateAsync("/api/v1/admins", new { email, password = GatehouseApp.OwnerPassword, role = "admin" });
        var desk = await app.SignInAsync(email, GatehouseApp.OwnerPassword);

        var response = await desk.PostAsJsonAsync($"/api/v1/users/{user.Id()}/credentials/faces/enrollments", new { deviceId = device.Id });
        var started = await response.JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal($"/api/v1/enrollments/{started.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal("face", started.Str("kind"));
        var command = await EnrollCommandAsync(device, started.Id());
        Assert.Equal(EnrollmentKind.Face, command.Kind);

        await device.PublishReplyAsync(Captured(device, command, FaceAssets.Photo("obama4_crop.jpg")));

        var done = await WaitForStatusAsync(org, started.Id(), "completed");
        var credential = await org.Owner.GetJsonAsync($"/api/v1/credentials/{done.Str("credentialId")}");
        Assert.Equal(user.Id(), credential.Str("userId"));
        Assert.Equal("face", credential.Str("type"));
        var consent = credential.GetProperty("face").GetProperty("consent");
        Assert.Equal(admin.Id(), consent.Str("adminId"));
        Assert.Equal(1, consent.GetProperty("noticeVersion").GetInt32());
        var outcome = await OutcomeAsync(device, command.EnrollmentId);
        Assert.True(outcome.Succeeded);
        Assert.Equal("Face enrolled", outcome.Prompt);
    }

    [Fact]
    public async Task Enroll_FrameWithTwoPeople_FailsWithTheReasonAndTheDeviceSaysOnlyOnePerson()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await using var device = await DeviceAsync(org);
        var started = await StartAsync(org, user.Id(), device);
        var command = await EnrollCommandAsync(device, started.Id());

        await device.PublishReplyAsync(Captured(device, command, FaceAssets.Photo("sample1.jpg")));

        var failed = await WaitForStatusAsync(org, started.Id(), "failed");
        Assert.Contains("More than one face", failed.Str("error"), StringComparison.Ordinal);
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
        var outcome = await OutcomeAsync(device, command.EnrollmentId);
        Assert.False(outcome.Succeeded);
        Assert.Equal("Only one person, please", outcome.Prompt);
    }

    [Fact]
    public async Task Enroll_DeviceSawNoGoodFrame_FailsSayingWhy()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await using var device = await DeviceAsync(org);
        var started = await StartAsync(org, user.Id(), device);
        var command = await EnrollCommandAsync(device, started.Id());

        await device.PublishReplyAsync(new EnrollmentCapturedReply(command.Id, app.Clock.GetUtcNow(), command.EnrollmentId, EnrollmentKind.Face, FaceRejection: "notFrontal"));

        var failed = await WaitForStatusAsync(org, started.Id(), "failed");
        Assert.Contains("Please face the camera", failed.Str("error"), StringComparison.Ordinal);
        Assert.Equal("Please face the camera", (await OutcomeAsync(device, command.EnrollmentId)).Prompt);
    }

    [Fact]
    public async Task Enroll_FrameSealedUnderAnotherKey_IsRefusedAndNoFaceIsMade()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await using var device = await DeviceAsync(org);
        var started = await StartAsync(org, user.Id(), device);
        var command = await EnrollCommandAsync(device, started.Id());
        var key = FaceTemplateSeal.DeriveKeyFromPassword("not the device's password", device.Id);
        var sealedFace = DeviceChannelCipher.Seal(key, FaceAssets.Photo("obama4_crop.jpg"), EnrollmentCapturedReply.FaceContext(command.EnrollmentId));

        await device.PublishReplyAsync(new EnrollmentCapturedReply(command.Id, app.Clock.GetUtcNow(), command.EnrollmentId, EnrollmentKind.Face, Face: sealedFace));

        var failed = await WaitForStatusAsync(org, started.Id(), "failed");
        Assert.Contains("could not be decrypted", failed.Str("error"), StringComparison.Ordinal);
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
    }

    [Fact]
    public async Task Enroll_DeviceWithoutCamera_FailsAtOnceWithTheDevicesWords()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await using var device = await DeviceAsync(org);
        var started = await StartAsync(org, user.Id(), device);
        var command = await EnrollCommandAsync(device, started.Id());

        await device.PublishReplyAsync(new CommandDoneReply(command.Id, app.Clock.GetUtcNow(), false, "This device cannot capture faces"));

        var failed = await WaitForStatusAsync(org, started.Id(), "failed");
        Assert.Equal("The device cannot do this: This device cannot capture faces", failed.Str("error"));
    }

    [Fact]
    public async Task Enroll_DeviceGoesOfflineMidEnrollment_FailsAndALateFrameMakesNoFace()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await using var device = await DeviceAsync(org);
        var started = await StartAsync(org, user.Id(), device);
        var command = await EnrollCommandAsync(device, started.Id());

        await device.PublishStatusAsync(0, online: false);

        var failed = await WaitForStatusAsync(org, started.Id(), "failed");
        Assert.Contains("went offline", failed.Str("error"), StringComparison.Ordinal);
        await device.PublishReplyAsync(Captured(device, command, FaceAssets.Photo("obama4_crop.jpg")));
        var told = await OutcomeAsync(device, command.EnrollmentId);
        Assert.Equal(("Enrollment is no longer open", false), (told.Prompt, told.Succeeded));
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
    }

    [Fact]
    public async Task Cancel_Pending_TellsTheDeviceAndAFrameAfterwardsMakesNoFace()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await using var device = await DeviceAsync(org);
        var started = await StartAsync(org, user.Id(), device);
        var command = await EnrollCommandAsync(device, started.Id());

        var cancelled = await (await org.Owner.DeleteAsync($"/api/v1/enrollments/{started.Id()}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("cancelled", cancelled.Str("status"));
        await TestDevice.WaitForAsync(() => device.Commands.OfType<CancelEnrollmentCommand>().FirstOrDefault(c => c.EnrollmentId == command.EnrollmentId), "the cancel command");
        await device.PublishReplyAsync(Captured(device, command, FaceAssets.Photo("obama4_crop.jpg")));
        Assert.False((await OutcomeAsync(device, command.EnrollmentId)).Succeeded);
        Assert.Equal(0, await org.Owner.TotalAsync($"/api/v1/users/{user.Id()}/credentials"));
    }

    [Fact]
    public async Task Start_UserOrDeviceOfAnotherOrganization_Is404Or400AndNothingIsSent()
    {
        var mine = await app.NewOrganizationAsync();
        var theirs = await app.NewOrganizationAsync();
        var theirUser = await theirs.Owner.NewUserAsync();
        var myUser = await mine.Owner.NewUserAsync();
        await using var theirDevice = await DeviceAsync(theirs);

        var otherUser = await mine.Owner.PostAsJsonAsync($"/api/v1/users/{theirUser.Id()}/credentials/faces/enrollments", new { deviceId = theirDevice.Id });
        var otherDevice = await mine.Owner.PostAsJsonAsync($"/api/v1/users/{myUser.Id()}/credentials/faces/enrollments", new { deviceId = theirDevice.Id });

        await otherUser.AssertStatusAsync(HttpStatusCode.NotFound);
        var problem = await otherDevice.JsonAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("deviceId", out _));
        Assert.Empty(theirDevice.Commands.OfType<EnrollCommand>());
    }

    [Fact]
    public async Task Start_NoticeChangedSinceShown_Is409()
    {
        var org = await app.NewOrganizationAsync();
        var user = await org.Owner.NewUserAsync();
        await using var device = await DeviceAsync(org);

        var response = await org.Owner.PostAsJsonAsync($"/api/v1/users/{user.Id()}/credentials/faces/enrollments", new { deviceId = device.Id, noticeVersion = 7 });

        await response.AssertStatusAsync(HttpStatusCode.Conflict);
        Assert.Empty(device.Commands.OfType<EnrollCommand>());
    }

    private EnrollmentCapturedReply Captured(TestDevice device, EnrollCommand command, byte[] image)
    {
        var key = FaceTemplateSeal.DeriveKeyFromPassword(device.Password, device.Id);
        var sealedFace = DeviceChannelCipher.Seal(key, image, EnrollmentCapturedReply.FaceContext(command.EnrollmentId));
        return new EnrollmentCapturedReply(command.Id, app.Clock.GetUtcNow(), command.EnrollmentId, EnrollmentKind.Face, Face: sealedFace);
    }

    private static async Task<TestDevice> DeviceAsync(TestOrganization org)
    {
        var door = await org.Owner.NewDoorAsync();
        return await RemoteUnlockTests.OnlineDeviceAsync(org, door.Id());
    }

    private static async Task<JsonElement> StartAsync(TestOrganization org, string userId, TestDevice device) =>
        await (await org.Owner.PostAsJsonAsync($"/api/v1/users/{userId}/credentials/faces/enrollments", new { deviceId = device.Id })).JsonAsync(HttpStatusCode.Accepted);

    private static Task<EnrollCommand> EnrollCommandAsync(TestDevice device, string enrollmentId) =>
        TestDevice.WaitForAsync(
            () => device.Commands.OfType<EnrollCommand>().FirstOrDefault(c => c.EnrollmentId.ToString() == enrollmentId), "the enroll command");

    private static Task<EnrollmentOutcomeCommand> OutcomeAsync(TestDevice device, Guid enrollmentId) =>
        TestDevice.WaitForAsync(
            () => device.Commands.OfType<EnrollmentOutcomeCommand>().FirstOrDefault(c => c.EnrollmentId == enrollmentId), "the outcome command");

    private static async Task<JsonElement> WaitForStatusAsync(TestOrganization org, string enrollmentId, string status)
    {
        JsonElement enrollment = default;
        await TestDevice.WaitUntilAsync(
            async () =>
            {
                enrollment = await org.Owner.GetJsonAsync($"/api/v1/enrollments/{enrollmentId}");
                return enrollment.Str("status") == status;
            },
            $"the enrollment to be {status}");
        return enrollment;
    }
}
