using System.Net.Http.Headers;
using System.Text;

namespace WorldCluster.Silo.Tests.Reliability;

/// <summary>One generated hostile HTTP request: what it is (for failure messages), how to send it, and the token to send.</summary>
/// <param name="Name">What makes it hostile.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path and query, already escaped as it should go on the wire.</param>
/// <param name="Body">The body bytes, or null for none.</param>
/// <param name="ContentType">The body's content type, or null to send none.</param>
/// <param name="Authorization">The Authorization header value, or null for none.</param>
public sealed record HostileRequest(string Name, HttpMethod Method, string Path, byte[]? Body = null, string? ContentType = "application/json", string? Authorization = null)
{
    /// <summary>A JSON-ish text body (sent as is, valid JSON or not).</summary>
    public static HostileRequest Json(string name, HttpMethod method, string path, string body, string? contentType = "application/json") =>
        new(name, method, path, Encoding.UTF8.GetBytes(body), contentType);

    /// <summary>The request message to send to <paramref name="server"/>, its path exactly as generated (the client normalizes nothing).</summary>
    public HttpRequestMessage ToMessage(Uri server)
    {
        var uri = new Uri(server.GetLeftPart(UriPartial.Authority) + Path, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var message = new HttpRequestMessage(Method, uri);
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
            }
        }
        if (Authorization is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", Authorization);
        }
        return message;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Method} {(Path.Length > 100 ? Path[..100] + "…" : Path)}";
}
