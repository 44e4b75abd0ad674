namespace WorldCluster.Silo.Tests.Reliability;

/// <summary>One hostile session: the upgrade to ask for and, when the server accepts it, the messages to send.</summary>
/// <param name="Name">What makes it hostile.</param>
/// <param name="WorldId">The world id as it goes on the wire (escaped).</param>
/// <param name="Query">The query string (without <c>?</c>).</param>
/// <param name="Fragments">The frames of one client message, sent in order (the last ends the message); empty when only the upgrade is hostile.</param>
/// <param name="Binary">Send the message as binary rather than text.</param>
/// <param name="FragmentGap">A pause between fragments: a very slow sender.</param>
public sealed record HostileSocketCase(string Name, string WorldId, string Query, IReadOnlyList<byte[]> Fragments, bool Binary = false, TimeSpan FragmentGap = default)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name}: /api/worlds/{(WorldId.Length > 60 ? WorldId[..60] + "…" : WorldId)}/session?{Query}";
}
