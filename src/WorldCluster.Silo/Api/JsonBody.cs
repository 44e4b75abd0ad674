using System.Text.Json;

namespace WorldCluster.Silo.Api;

/// <summary>Reads a JSON request body with a size limit, turning every way it can be wrong into a problem result.</summary>
public static class JsonBody
{
    /// <summary>The parsed body, or a 4xx problem explaining why there is none.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentType is null || !request.HasJsonContentType())
        {
            return (null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "the request body must be JSON (Content-Type: application/json)"));
        }
        if (request.ContentLength > ApiJson.MaxBodyBytes)
        {
            return (null, TooLarge());
        }

        byte[] body;
        try
        {
            body = await ReadLimitedAsync(request.Body, cancellationToken);
        }
        catch (InvalidDataException)
        {
            return (null, TooLarge());
        }
        catch (BadHttpRequestException e)
        {
            return (null, Problems.Create(e.StatusCode, "Bad request body", e.Message));
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(body, ApiJson.Options);
            return value is null
                ? (null, Problems.Create(StatusCodes.Status400BadRequest, "Malformed JSON", "the request body must be a JSON object"))
                : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Problems.Create(StatusCodes.Status400BadRequest, "Malformed JSON", Describe(e)));
        }
    }

    private static IResult TooLarge() =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"request bodies are limited to {ApiJson.MaxBodyBytes} bytes");

    /// <summary>What is wrong with a JSON document, in the client's terms (its path and property names, never .NET type names).</summary>
    public static string Describe(JsonException e)
    {
        var at = e.Path is { Length: > 1 } path ? $" at {path}" : "";
        var message = e.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
        {
            var name = message.Split('\'') is [_, var property, ..] ? property : "?";
            return $"invalid JSON: unknown property '{name}'";
        }
        if (message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            return $"invalid JSON{at}: a value of the wrong type";
        }
        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            return $"invalid JSON{at}: a required property is missing";
        }
        // Reader errors ("'x' is an invalid start of a value") name no types; anything else is described generically.
        var first = FirstSentence(message);
        return first.Contains("WorldCluster.", StringComparison.Ordinal) || first.Contains("System.", StringComparison.Ordinal)
            ? $"invalid JSON{at}"
            : $"invalid JSON{at}: {first}";
    }

    // System.Text.Json appends path and position details we already report; keep the message short.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > ApiJson.MaxBodyBytes)
            {
                throw new InvalidDataException("body too large");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
