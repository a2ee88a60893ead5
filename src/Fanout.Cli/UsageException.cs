namespace Fanout.Cli;

/// <summary>The command line or an input file is wrong; the message says where and how. Exit code 255.</summary>
internal sealed class UsageException(string message) : Exception(message);
