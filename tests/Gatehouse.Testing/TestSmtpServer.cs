using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using SmtpResponse = SmtpServer.Protocol.SmtpResponse;

namespace Gatehouse.Testing;

/// <summary>
/// A real SMTP server on a loopback port, in the test process, that keeps what it receives. It can be stopped
/// and started again on the same port (the mail server going down and coming back), and refuses mail to
/// addresses starting with <c>nobody@</c> with a 550, as a server does for an unknown mailbox.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> _received = new();
    private CancellationTokenSource? _running;
    private SmtpServer.SmtpServer? _server;

    private TestSmtpServer(int port) => Port = port;

    public int Port { get; }

    public IReadOnlyList<MimeMessage> Received => [.. _received];

    /// <summary>A server on a free port; started unless <paramref name="start"/> is false (the port is then closed).</summary>
    public static async Task<TestSmtpServer> CreateAsync(bool start = true)
    {
        var server = new TestSmtpServer(LoopbackPort.Free());
        if (start)
        {
            await server.StartAsync();
        }

        return server;
    }

    public async Task StartAsync()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("smtp.gatehouse.test")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(_received));
        _running = new CancellationTokenSource();
        _server = new SmtpServer.SmtpServer(options, services);
        _ = _server.StartAsync(_running.Token);

        // Listening once a connection is accepted.
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"The test SMTP server did not start on port {Port}.");
    }

    public async Task StopAsync()
    {
        if (_server is null || _running is null)
        {
            return;
        }

        await _running.CancelAsync();
        await _server.ShutdownTask;
        _running.Dispose();
        _server = null;
        _running = null;
    }

    /// <summary>Waits until <paramref name="count"/> messages have arrived; returns them.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(int count = 1, TimeSpan? timeout = null)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (_received.Count < count)
        {
            if (waited.Elapsed > (timeout ?? TimeSpan.FromSeconds(20)))
            {
                throw new TimeoutException($"{_received.Count} of {count} emails arrived at the test SMTP server.");
            }

            await Task.Delay(50);
        }

        return Received;
    }

    public async ValueTask DisposeAsync() => await StopAsync();


    private sealed class Store(ConcurrentQueue<MimeMessage> received) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (transaction.To.Any(to => to.User.Equals("nobody", StringComparison.OrdinalIgnoreCase)))
            {
                return new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "No such mailbox here");
            }

            await using var stream = new MemoryStream(buffer.ToArray());
            received.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
