using Microsoft.AspNetCore.Hosting;

namespace Gatehouse.Testing;

/// <summary>The settings every server a test or a measurement starts has in common.</summary>
public static class TestServerSettings
{
    /// <summary>
    /// A store in <paramref name="dataDirectory"/>, a bootstrap organization "System" owned by the system
    /// administrator, the public address, the face models fetched for the tests (<see cref="FaceAssets"/>), and a
    /// sign-in limit no test reaches: tests sign in many times a minute from one address. The limit itself has its
    /// own tests, which set it low again.
    /// </summary>
    public static IWebHostBuilder UseTestDefaults(
        this IWebHostBuilder builder, string dataDirectory, string adminEmail, string adminPassword, string publicBaseUrl)
    {
        builder.UseSetting("Gatehouse:DataDirectory", dataDirectory);
        builder.UseSetting("Gatehouse:Bootstrap:OrganizationName", "System");
        builder.UseSetting("Gatehouse:Bootstrap:OwnerEmail", adminEmail);
        builder.UseSetting("Gatehouse:Bootstrap:OwnerPassword", adminPassword);
        builder.UseSetting("Gatehouse:PublicBaseUrl", publicBaseUrl);
        builder.UseSetting("Gatehouse:Accounts:SignInAttemptsPerMinute", "10000");
        builder.UseSetting("Gatehouse:Face:ModelDirectory", FaceAssets.ModelDirectory);
        return builder;
    }
}
