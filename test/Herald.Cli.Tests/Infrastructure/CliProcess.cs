using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Herald.Cli.Tests.Infrastructure;

/// <summary>
/// A long-running herald process (serve, listen, tail): its output lines as they come, waits on a line that
/// matches, and a clean stop with SIGINT as Ctrl+C sends it.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CliProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> StdOutLines
    {
        get
        {
            lock (_lock)
            {
                return [.. _stdout];
            }
        }
    }

    public string Output
    {
        get
        {
            lock (_lock)
            {
                return $"--- stdout ---\n{string.Join('\n', _stdout)}\n--- stderr ---\n{string.Join('\n', _stderr)}";
            }
        }
    }

    public static CliProcess Start(IEnumerable<string> args, Dictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var process = new Process { StartInfo = HeraldCli.StartInfo(args, environment, workingDirectory), EnableRaisingEvents = true };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) => cli.Add(cli._stdout, e.Data, cli._stdoutClosed);
        process.ErrorDataReceived += (_, e) => cli.Add(cli._stderr, e.Data, cli._stderrClosed);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Waits for a line on standard output or error that matches; fails early if the process exits.</summary>
    public async Task<Match> WaitForLineAsync(string pattern, TimeSpan? timeout = null)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        var deadline = Task.Delay(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                foreach (var line in _stdout.Concat(_stderr))
                {
                    if (regex.Match(line) is { Success: true } match)
                    {
                        return match;
                    }
                }

                changed = _changed.Task;
            }

            if (_process.HasExited && _stdoutClosed.Task.IsCompleted && _stderrClosed.Task.IsCompleted)
            {
                throw new InvalidOperationException($"herald exited ({_process.ExitCode}) before printing a line matching /{pattern}/.\n{Output}");
            }

            if (await Task.WhenAny(changed, deadline, _process.WaitForExitAsync()) == deadline)
            {
                throw new TimeoutException($"No line matching /{pattern}/ in time.\n{Output}");
            }
        }
    }

    /// <summary>
    /// Whether SIGINT is ignored in this process, and so in the processes it starts: a shell does that to jobs it
    /// runs in the background, and then Ctrl+C cannot reach herald at all.
    /// </summary>
    public static bool InterruptIgnored
    {
        get
        {
            var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) : null;
            return line is not null && (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << (2 - 1))) != 0;
        }
    }

    /// <summary>Sends SIGINT (Ctrl+C) and waits for the process to end; returns its exit code.</summary>
    public Task<int> InterruptAsync(TimeSpan? timeout = null) => SignalAsync("-INT", timeout);

    /// <summary>Sends SIGTERM (what a service manager sends; herald handles it like Ctrl+C) and waits for the end.</summary>
    public Task<int> TerminateAsync(TimeSpan? timeout = null) => SignalAsync("-TERM", timeout);

    private async Task<int> SignalAsync(string signal, TimeSpan? timeout)
    {
        using (var kill = Process.Start("kill", [signal, _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        return await WaitForExitAsync(timeout);
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"herald did not exit in time.\n{Output}");
        }

        await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task);
        return _process.ExitCode;
    }

    private void Add(List<string> lines, string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
        }

        TaskCompletionSource changed;
        lock (_lock)
        {
            if (line is not null)
            {
                lines.Add(line);
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
