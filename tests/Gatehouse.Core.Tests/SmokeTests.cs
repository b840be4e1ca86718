namespace Gatehouse.Core.Tests;

public class CredentialKeyTests
{
    [Fact]
    public void Equals_SameParts_AreEqual() =>
        Assert.Equal(new CredentialKey(1, 2), new CredentialKey(1, 2));
}
