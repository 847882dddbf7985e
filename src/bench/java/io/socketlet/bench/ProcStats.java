package io.socketlet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads Linux's /proc: CPU time of a process and of the whole machine, and a process's resident
 * memory and thread count, as the kernel counts them (not as the JVM believes).
 */
public final class ProcStats {

    /** Clock ticks per second of /proc's CPU counters (USER_HZ; 100 on every common kernel). */
    public static final long HZ = 100;

    private ProcStats() {
    }

    /** user + system CPU time of a process, in ticks; -1 if it is gone. */
    public static long processTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // fields after the ")" that closes the command name: state is field 3, utime 14, stime 15
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Nanoseconds on CPU of a process's live threads (the first field of each
     * {@code /proc/PID/task/TID/schedstat}): nanosecond-exact where {@link #processTicks} counts
     * 10 ms ticks, for spans of a few milliseconds; threads that ended are not counted. -1 if the
     * process is gone.
     */
    public static long processCpuNanos(long pid) {
        Path tasks = Path.of("/proc/" + pid + "/task");
        long sum = 0;
        try (var dirs = Files.newDirectoryStream(tasks)) {
            for (Path task : dirs) {
                try {
                    String stat = Files.readString(task.resolve("schedstat"));
                    sum += Long.parseLong(stat.substring(0, stat.indexOf(' ')));
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
            return sum;
        } catch (IOException e) {
            return -1;
        }
    }

    /** {busy, total} ticks of all CPUs together, from the first line of /proc/stat. */
    public static long[] machineTicks() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = line.trim().split("\\s+");
            long total = 0;
            long idle = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) { // user nice system idle iowait irq softirq steal
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) {
                    idle += v;
                }
            }
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /** A value in kB (VmRSS, VmHWM) or a count (Threads) from /proc/PID/status; -1 if absent. */
    public static long status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** system (kernel) CPU time of a process, in ticks; -1 if it is gone. */
    public static long processSystemTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {read, write} system calls of a process so far (syscr, syscw of /proc/PID/io); zeros if unreadable. */
    public static long[] syscalls(long pid) {
        long[] v = new long[2];
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
                if (line.startsWith("syscr:")) {
                    v[0] = Long.parseLong(line.substring(6).trim());
                } else if (line.startsWith("syscw:")) {
                    v[1] = Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable
        }
        return v;
    }

    /** The 1-minute load average. */
    public static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** CPU counters at one moment: the machine, this (client) process and the server process. */
    public record CpuSnapshot(long nanos, long machineBusy, long machineTotal, long client, long server, long serverSystem,
                              long[] serverSyscalls) {

        public static CpuSnapshot take(long serverPid) {
            long[] m = machineTicks();
            return new CpuSnapshot(System.nanoTime(), m[0], m[1], processTicks(ProcessHandle.current().pid()),
                    serverPid > 0 ? processTicks(serverPid) : 0, serverPid > 0 ? processSystemTicks(serverPid) : 0,
                    serverPid > 0 ? syscalls(serverPid) : new long[2]);
        }

        /** CPU use between two snapshots, in cores (1.0 = one core busy the whole time). */
        public CpuUse until(CpuSnapshot later) {
            double seconds = (later.nanos - nanos) / 1e9;
            double server = (later.server - this.server) / (double) HZ;
            double client = (later.client - this.client) / (double) HZ;
            double busy = (later.machineBusy - machineBusy) / (double) HZ;
            return new CpuUse(seconds, server, (later.serverSystem - serverSystem) / (double) HZ, client,
                    Math.max(0, busy - server - client),
                    later.serverSyscalls[0] - serverSyscalls[0], later.serverSyscalls[1] - serverSyscalls[1]);
        }
    }

    /**
     * CPU seconds spent in a window of {@code seconds}: by the server, the client, and everything
     * else; and the server's read and write system calls in it.
     */
    public record CpuUse(double seconds, double serverSeconds, double serverSystemSeconds, double clientSeconds, double foreignSeconds,
                         long serverReads, long serverWrites) {
        public double foreignCores() {
            return seconds > 0 ? foreignSeconds / seconds : 0;
        }

        public double serverCores() {
            return seconds > 0 ? serverSeconds / seconds : 0;
        }

        public double clientCores() {
            return seconds > 0 ? clientSeconds / seconds : 0;
        }
    }
}
