namespace McpAuth.Core
{
    /// <summary>An error that knows what the user should run next.</summary>
    public interface IHasRecommendedAction
    {
        /// <summary>Gets the command or step that fixes the condition, for ErrorDetails.RecommendedAction.</summary>
        string? RecommendedAction { get; }
    }
}
