namespace Gatehouse.Device.Tests;

public sealed class AgentArgumentsTests
{
    [Fact]
    public void TryParse_FullCommandLine_ReadsEveryArgument()
    {
        Assert.True(AgentArguments.TryParse(
            ["--server", "http://127.0.0.1:5000", "--claim-code", "ABCD-1234", "--data-dir", "dev1", "--simulator-urls", "http://127.0.0.1:5080"],
            out var parsed, out _));

        Assert.Equal(new Uri("http://127.0.0.1:5000"), parsed.Server);
        Assert.Equal("ABCD-1234", parsed.ClaimCode);
        Assert.Equal(Path.GetFullPath("dev1"), parsed.DataDirectory);
        Assert.Equal(["http://127.0.0.1:5080"], parsed.SimulatorUrls);
    }

    [Fact]
    public void TryParse_CameraFiles_IsAnExistingFolder()
    {
        var folder = Directory.CreateTempSubdirectory("gatehouse-frames").FullName;

        Assert.True(AgentArguments.TryParse(["--data-dir", "d", "--camera-files", folder], out var parsed, out _));

        Assert.Equal(folder, parsed.CameraFiles);
        Directory.Delete(folder);
    }

    [Fact]
    public void TryParse_AfterTheClaim_DataDirectorySuffices()
    {
        Assert.True(AgentArguments.TryParse(["--data-dir=/var/lib/gatehouse"], out var parsed, out _));

        Assert.Null(parsed.Server);
        Assert.Null(parsed.ClaimCode);
        Assert.Empty(parsed.SimulatorUrls);
    }

    [Theory]
    [InlineData("--data-dir", new[] { "--server", "http://127.0.0.1:5000", "--claim-code", "X" })]
    [InlineData("--server", new[] { "--data-dir", "d", "--server", "ftp://x" })]
    [InlineData("--simulator-urls", new[] { "--data-dir", "d", "--simulator-urls", "localhost" })]
    [InlineData("--colour", new[] { "--data-dir", "d", "--colour", "blue" })]
    [InlineData("--claim-code", new[] { "--data-dir", "d", "--claim-code" })]
    [InlineData("--camera-files", new[] { "--data-dir", "d", "--camera-files", "/no/such/folder/for/frames" })]
    public void TryParse_BadCommandLine_SaysWhichArgumentInOneLine(string argument, string[] args)
    {
        Assert.False(AgentArguments.TryParse(args, out _, out var error));

        Assert.Contains(argument, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }
}
