namespace WorldCluster.Abstractions;

/// <summary>Why a world refused a request; gateways map it to an HTTP status.</summary>
[GenerateSerializer]
public enum WorldErrorKind
{
    /// <summary>The request itself is wrong (400).</summary>
    BadRequest = 0,
    /// <summary>No such world or model (404).</summary>
    NotFound = 1,
    /// <summary>The request conflicts with the world's state, e.g. it already exists (409).</summary>
    Conflict = 2,
    /// <summary>The world's stored data cannot be used, e.g. it is corrupt (422).</summary>
    Unprocessable = 3,
    /// <summary>The silo is overloaded and cannot take the step now (503).</summary>
    Unavailable = 4,
    /// <summary>The model failed this step (e.g. it produced NaN); the world keeps its state (500).</summary>
    ModelFailed = 5,
    /// <summary>The world refuses this caller: its participant was removed or banned, or its invite revoked (403).</summary>
    Forbidden = 6,
}
