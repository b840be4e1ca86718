namespace Gatehouse.Server.Infrastructure;

/// <summary>
/// Messages for the person starting the server that must not enter the logs (a generated password).
/// The console in production; tests swap the writer to read what was printed.
/// </summary>
internal sealed class OperatorConsole(TextWriter writer)
{
    public void Print(string message)
    {
        writer.WriteLine(message);
        writer.Flush();
    }
}
