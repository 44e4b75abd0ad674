using System.Net.WebSockets;

namespace WorldCluster.Silo.Tests.Fixtures;

/// <summary>What the tests' WebSocket clients share: reading one whole message, and closing at the end of a test.</summary>
internal static class TestSockets
{
    /// <summary>Reads one whole message (every fragment) into <paramref name="buffer"/>: its type and length.</summary>
    public static async Task<(WebSocketMessageType Type, int Length)> ReceiveWholeAsync(WebSocket socket, byte[] buffer)
    {
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
            length += result.Count;
        }
        while (!result.EndOfMessage);
        return (result.MessageType, length);
    }

    /// <summary>Closes the socket if it is open (5 s at most), waits briefly for its reader, and disposes it.</summary>
    public static async Task CloseAndDisposeAsync(WebSocket socket, Task? reader)
    {
        if (socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The test is over; a socket that cannot close cleanly is dropped.
            }
        }
        if (reader is not null)
        {
            await Task.WhenAny(reader, Task.Delay(TimeSpan.FromSeconds(5)));
        }
        socket.Dispose();
    }
}
