using Xunit;

// The module keeps process-wide state on purpose (one live connection per server, the in-memory credential
// store) and some tests set process environment variables (MCPAUTH_STORE_DIR): classes run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
