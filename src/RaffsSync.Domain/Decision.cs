namespace RaffsSync.Domain;

/// <summary>The outcome of a command: events to append (none when nothing changes), or why it cannot be done now (409).</summary>
public abstract record Decision
{
    public sealed record Append(IReadOnlyList<object> Events) : Decision
    {
        public bool ChangesNothing => Events.Count == 0;
    }

    public sealed record Conflict(string Code, string Message) : Decision;
}
