using System.Runtime.InteropServices;

namespace Herald.LoadTest.Processes;

/// <summary>
/// Stops what the harness started when it exits without disposing it: Ctrl+C, SIGTERM or a crash. Each process
/// registers its stop action while it runs and removes it once disposed.
/// </summary>
internal static class ExitCleanup
{
    private static readonly Dictionary<object, Action> Actions = [];
    private static readonly List<PosixSignalRegistration> Signals = [];

    static ExitCleanup()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RunAll();
        foreach (var signal in (PosixSignal[])[PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT])
        {
            // Clean up, then let the signal end the process as it would have.
            Signals.Add(PosixSignalRegistration.Create(signal, _ => RunAll()));
        }
    }

    public static void Register(object owner, Action stop)
    {
        lock (Actions)
        {
            Actions[owner] = stop;
        }
    }

    public static void Unregister(object owner)
    {
        lock (Actions)
        {
            Actions.Remove(owner);
        }
    }

    private static void RunAll()
    {
        List<Action> pending;
        lock (Actions)
        {
            pending = [.. Actions.Values];
            Actions.Clear();
        }

        foreach (var stop in pending)
        {
            try
            {
                stop();
            }
            catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
            {
                // Already gone.
            }
        }
    }
}
