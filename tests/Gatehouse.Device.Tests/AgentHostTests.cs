using Gatehouse.Core.DeviceProtocol;
using Gatehouse.Device.Store;

namespace Gatehouse.Device.Tests;

public sealed class AgentHostTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "gatehouse-device-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Create_ServerUnreachableAtTheFirstClaim_FailsWithItsExitCodeAndOneLine()
    {
        // Nothing listens on the discard port of loopback.
        var arguments = new AgentArguments(new Uri("http://127.0.0.1:9"), "ABCD-EFGH", _dataDirectory, []);

        var error = await Assert.ThrowsAsync<AgentStartException>(() => AgentHost.CreateAsync(arguments));

        Assert.Equal(AgentExitCodes.ServerUnreachable, error.ExitCode);
        Assert.Contains("http://127.0.0.1:9", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ABCD-EFGH", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Create_NeverClaimedAndNoCode_FailsWithTheUsageExitCode()
    {
        var error = await Assert.ThrowsAsync<AgentStartException>(() => AgentHost.CreateAsync(new AgentArguments(null, null, _dataDirectory, [])));

        Assert.Equal(AgentExitCodes.Usage, error.ExitCode);
        Assert.Contains("--claim-code", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ClaimedBeforeAndServerAway_StartsWithTheStoredClaim()
    {
        SaveClaim();

        await using var agent = await AgentHost.CreateAsync(new AgentArguments(new Uri("http://127.0.0.1:9"), "USED-CODE", _dataDirectory, []));

        Assert.False(agent.HasSimulator);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Store_HoldingThePassword_IsReadableByTheAgentOnly()
    {
        SaveClaim();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dataDirectory, DeviceStore.FileName)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dataDirectory));
    }

    private void SaveClaim()
    {
        using var store = DeviceStore.Open(_dataDirectory);
        store.SaveClaim(
            new ClaimResponse(Guid.CreateVersion7(), Guid.CreateVersion7(), "Lobby", "F3D100", new BrokerEndpoint("127.0.0.1", 9, false), "device", "secret"),
            new Uri("http://127.0.0.1:9"));
    }
}
