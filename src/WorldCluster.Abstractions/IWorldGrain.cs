using Orleans.Concurrency;

namespace WorldCluster.Abstractions;

/// <summary>One persistent world: its state, its tick sequence, its participants and its model, keyed by world id.</summary>
[Alias("WorldCluster.IWorldGrain")]
public interface IWorldGrain : IGrainWithStringKey
{
    /// <summary>Creates the world from a model and a seed; fails with <see cref="WorldErrorKind.Conflict"/> if it exists.</summary>
    [Alias("Create")]
    Task<WorldInfo> CreateAsync(CreateWorldRequest request);

    /// <summary>The world's id, model, tick, player slots, tick mode and state digest.</summary>
    [Alias("Get")]
    Task<WorldInfo> GetAsync();

    /// <summary>Advances an on-demand world one tick with one action per player slot and makes the tick durable.</summary>
    [Alias("Step")]
    Task<StepResult> StepAsync(StepRequest request);

    /// <summary>Steps like <see cref="StepAsync"/> and answers with what an agent observes after the tick (frame, scores, rewards).</summary>
    [Alias("StepObserved")]
    Task<WorldObservation> StepObservedAsync(StepRequest request);

    /// <summary>What an agent observes at the current tick (rewards are zeros: nothing was stepped).</summary>
    [Alias("Observe")]
    Task<WorldObservation> ObserveAsync();

    /// <summary>The frame of the world's current tick.</summary>
    [Alias("GetFrame")]
    Task<WorldFrame> GetFrameAsync();

    /// <summary>The current tick's frame update (frame, digest, durable tick), as subscribers receive it.</summary>
    [Alias("GetLatestUpdate")]
    Task<FrameUpdate> GetLatestUpdateAsync();

    /// <summary>The recent frame updates after <paramref name="tick"/>, oldest first (to fill a subscriber's gap).</summary>
    [Alias("GetUpdatesAfter")]
    Task<IReadOnlyList<FrameUpdate>> GetUpdatesAfterAsync(long tick);

    /// <summary>Joins the world as a player (taking a free slot) or a spectator.</summary>
    [Alias("Join")]
    Task<SessionTicket> JoinAsync(JoinRequest request);

    /// <summary>Ends a session; a player's slot becomes free.</summary>
    [Alias("Leave")]
    Task LeaveAsync(Guid sessionId);

    /// <summary>
    /// Ends a session taken over with <paramref name="claim"/> unless a later socket has taken it over since (a reconnect
    /// that arrived before the old socket was found dead).
    /// </summary>
    [Alias("Release")]
    Task ReleaseAsync(Guid sessionId, int claim);

    /// <summary>Sets a player's action for the next real-time tick (the latest one since the last tick wins).</summary>
    [Alias("Act")]
    Task ActAsync(Guid sessionId, int action);

    /// <summary>Merges a player's action, sent as JSON (a structured space's value), into the next real-time tick by the space's merge rules.</summary>
    [Alias("ActJson")]
    Task ActJsonAsync(Guid sessionId, string action);

    /// <summary>Keeps a session alive; sessions not heard from within the session timeout end by themselves.</summary>
    [Alias("KeepAlive")]
    Task KeepAliveAsync(Guid sessionId);

    /// <summary>
    /// Refuses a world-scoped token whose participant has left, was removed or banned, or whose invite is banned
    /// (<see cref="WorldErrorKind.Forbidden"/>); a participant's use counts as a keep-alive. A world that does not exist refuses nothing.
    /// </summary>
    [Alias("CheckToken")]
    Task CheckTokenAsync(TokenCheck check);

    /// <summary>Removes a participant and durably bans it and the invite it joined with (stored in the world's head).</summary>
    [Alias("Ban")]
    Task BanAsync(BanRequest request);

    /// <summary>Who is in the world now.</summary>
    [Alias("GetParticipants")]
    Task<IReadOnlyList<Participant>> GetParticipantsAsync();

    /// <summary>Registers (or refreshes) an observer that receives every frame update; refresh within the expiry or be dropped.</summary>
    [Alias("Subscribe")]
    Task<FrameUpdate> SubscribeAsync(IWorldObserver observer);

    /// <summary>Removes an observer.</summary>
    [Alias("Unsubscribe")]
    Task UnsubscribeAsync(IWorldObserver observer);

    /// <summary>Forks the world at a durable tick (default: the latest) into a new world with the given id.</summary>
    [Alias("Fork")]
    Task<WorldInfo> ForkAsync(ForkRequest request);

    /// <summary>Creates this world as a fork of another world's stored state (called by <see cref="ForkAsync"/>).</summary>
    [Alias("CreateFork")]
    Task<WorldInfo> CreateForkAsync(ForkOrigin origin, int tickHz);

    /// <summary>
    /// Rebuilds ticks of the world's past by replaying its journal from the nearest snapshot on copies (the live world is
    /// untouched): at most <see cref="RecordingRequest.ChunkTicks"/> from <see cref="RecordingRequest.FromTick"/>.
    /// Interleaves with the world's own calls and ticks: a replay can take many steps, and a real-time world must not wait on it.
    /// </summary>
    [Alias("ReplayRange"), AlwaysInterleave]
    Task<IReadOnlyList<RecordedTick>> ReplayRangeAsync(RecordingRequest request);

    /// <summary>Deletes the world's head and journal (snapshots shared with forks stay); its sessions end.</summary>
    [Alias("Delete")]
    Task DeleteAsync();

    /// <summary>Writes a snapshot now and waits until every tick is durable (used by drains and tests).</summary>
    [Alias("Flush")]
    Task<WorldInfo> FlushAsync();

    /// <summary>
    /// Moves the world to another silo (Orleans grain migration) once every computed tick is durable; answers the silo it
    /// leaves. The move happens when this call returns: the next call reaches the new activation.
    /// </summary>
    [Alias("Migrate")]
    Task<string> MigrateAsync(MigrateRequest request);

    /// <summary>
    /// The model's batcher moved this world's state off the device to stay within its budget (silo-internal): a world
    /// not stepped within the admission window deactivates, so its state goes to storage and leaves memory.
    /// </summary>
    [Alias("StateSpilled"), OneWay]
    Task StateSpilledAsync();
}
