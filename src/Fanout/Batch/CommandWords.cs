using System.Text;

namespace Fanout.Batch;

/// <summary>
/// Splits a command line into words as a POSIX shell would when it has nothing to expand: quotes
/// and backslashes are honoured, anything that needs a shell (variables, globs, redirections,
/// pipes, command substitution) makes the split fail so the line goes to the shell.
/// </summary>
internal static class CommandWords
{
    private const string NeedsShell = "$`|&;<>()*?[]{}~#!\n";

    // dash's and bash's builtins and keywords: these must stay in the shell (echo, for one, differs from /bin/echo).
    private static readonly HashSet<string> ShellWords = new(StringComparer.Ordinal)
    {
        ".", ":", "[", "alias", "bg", "break", "cd", "chdir", "command", "continue", "echo", "eval", "exec", "exit", "export",
        "false", "fc", "fg", "getopts", "hash", "jobs", "kill", "local", "printf", "pwd", "read", "readonly", "return", "set",
        "shift", "source", "test", "times", "trap", "true", "type", "ulimit", "umask", "unalias", "unset", "wait",
        "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "function", "{", "}", "!",
    };

    /// <summary>True for a word that a shell treats itself (a builtin or a keyword).</summary>
    internal static bool IsShellBuiltin(string word) => ShellWords.Contains(word);

    internal static bool TrySplit(string line, out List<string> words)
    {
        words = [];
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            switch (c)
            {
                case ' ' or '\t':
                    if (inWord)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }

                    break;
                case '\'':
                    var close = line.IndexOf('\'', i + 1);
                    if (close < 0)
                        return false;
                    word.Append(line, i + 1, close - i - 1);
                    inWord = true;
                    i = close;
                    break;
                case '"':
                    inWord = true;
                    for (i++; i < line.Length && line[i] != '"'; i++)
                    {
                        if (line[i] is '$' or '`')
                            return false;
                        if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\')
                            i++;
                        word.Append(line[i]);
                    }

                    if (i >= line.Length)
                        return false;
                    break;
                case '\\':
                    if (i + 1 >= line.Length || line[i + 1] == '\n')
                        return false;
                    word.Append(line[++i]);
                    inWord = true;
                    break;
                default:
                    if (NeedsShell.Contains(c, StringComparison.Ordinal))
                        return false;
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }

        if (inWord)
            words.Add(word.ToString());
        // "NAME=value cmd" assigns a variable in a shell; leave that to the shell.
        return words.Count == 0 || !words[0].Contains('=', StringComparison.Ordinal);
    }
}
