using System;
using System.Management.Automation;
using McpAuth.Core;

namespace McpAuth
{
    /// <summary>The one place that turns engine errors into PowerShell ErrorRecords.</summary>
    internal static class ErrorMapper
    {
        public static ErrorCategory ToCategory(McpErrorKind kind) => kind switch
        {
            McpErrorKind.ConnectionError => ErrorCategory.ConnectionError,
            McpErrorKind.ProtocolError => ErrorCategory.ProtocolError,
            McpErrorKind.InvalidData => ErrorCategory.InvalidData,
            McpErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
            McpErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
            McpErrorKind.SecurityError => ErrorCategory.SecurityError,
            McpErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
            McpErrorKind.NotFound => ErrorCategory.ObjectNotFound,
            McpErrorKind.Timeout => ErrorCategory.OperationTimeout,
            McpErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
            McpErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
            McpErrorKind.ServerError => ErrorCategory.InvalidResult,
            _ => ErrorCategory.InvalidOperation,
        };

        /// <summary>
        /// The error record of an engine error, with the command that gets past it (<see cref="RecommendedActions"/>)
        /// as RecommendedAction and at the end of the message shown; else the engine's own advice, when it has some.
        /// </summary>
        public static ErrorRecord ToErrorRecord(McpAuthException exception)
        {
            var record = new ErrorRecord(exception, exception.ErrorId, ToCategory(exception.Kind), exception.Target);
            if (RecommendedActions.For(exception) is string command)
            {
                record.ErrorDetails = new ErrorDetails(exception.Message + " To continue: " + command) { RecommendedAction = command };
            }
            else if (exception is IHasRecommendedAction hint && !string.IsNullOrEmpty(hint.RecommendedAction))
            {
                record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = hint.RecommendedAction };
            }

            return record;
        }

        public static ErrorRecord ParameterError(string errorId, string message, object? target)
            => new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target);
    }
}
