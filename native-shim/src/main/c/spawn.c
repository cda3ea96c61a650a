/*
 * selfrestore-spawn: the native code between fork and exec of `selfrestore run`.
 *
 * No Java code may run in a forked child of a JVM (other threads' locks, safepoints, the heap), so
 * what places a process at a chosen PID and executes the command is this small static program,
 * which the command line starts with posix_spawn(3) from a memory file (memfd_create(2)) and which
 * needs no C library, no compiler and no file on disk. It makes system calls only: no allocation,
 * no global state, no relocation. Build: native-shim/src/main/c/build.sh (x86_64 and aarch64).
 *
 * Modes (argv[1]):
 *   place WANT FLAGS NSPID PATH ARG0 [ARG...]   (the environment is the command's)
 *     Creates the command's process as a child of this program's parent (CLONE_PARENT), at PID
 *     WANT (clone3 with set_tid; or ns_last_pid under its file lock, checked and retried), or as
 *     PID 1 of a new pid namespace (FLAGS & F_NEWPID), or as PID NSPID of a new pid namespace under
 *     an init that reaps and forwards signals (NSPID > 1). Descriptor 3 is the report pipe: every
 *     outcome is one 16-byte record (see struct report), written by this program, by the init or
 *     by the child before its exec; the write end is close-on-exec in the child, so end-of-file
 *     after the records means the command is executing.
 *   wait PID
 *     Replaces the command line once the command runs: forwards TERM, INT, HUP, QUIT, USR1 and
 *     USR2 to PID (not those the terminal sent to the whole process group, which PID received too)
 *     and ends with PID's status: its exit code, or the same signal.
 */

typedef unsigned long u64;
typedef long s64;
typedef unsigned int u32;
typedef int s32;

#if defined(__x86_64__)
#define NR_read 0
#define NR_write 1
#define NR_close 3
#define NR_pwrite64 18
#define NR_rt_sigaction 13
#define NR_rt_sigprocmask 14
#define NR_getpid 39
#define NR_clone 56
#define NR_execve 59
#define NR_wait4 61
#define NR_kill 62
#define NR_fcntl 72
#define NR_flock 73
#define NR_setsid 112
#define NR_prctl 157
#define NR_exit_group 231
#define NR_openat 257
#define NR_signalfd4 289
#elif defined(__aarch64__)
#define NR_read 63
#define NR_write 64
#define NR_close 57
#define NR_pwrite64 68
#define NR_rt_sigaction 134
#define NR_rt_sigprocmask 135
#define NR_getpid 172
#define NR_clone 220
#define NR_execve 221
#define NR_wait4 260
#define NR_kill 129
#define NR_fcntl 25
#define NR_flock 32
#define NR_setsid 157
#define NR_prctl 167
#define NR_exit_group 94
#define NR_openat 56
#define NR_signalfd4 74
#else
#error "selfrestore-spawn: x86_64 and aarch64 only"
#endif
#define NR_clone3 435
#define NR_close_range 436

#define ENOSYS 38
#define EINTR 4
#define EINVAL 22
#define E2BIG 7
#define ECHILD 10

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGUSR1 10
#define SIGUSR2 12
#define SIGTERM 15
#define SIGCHLD 17
#define SI_KERNEL 0x80

#define CLONE_PARENT 0x00008000UL
#define CLONE_NEWPID 0x20000000UL
#define AT_FDCWD (-100)
#define O_RDWR 02
#define O_CLOEXEC 02000000
#define F_SETFD 2
#define FD_CLOEXEC 1
#define LOCK_EX 2
#define LOCK_UN 8
#define SIG_SETMASK 2
#define SFD_CLOEXEC O_CLOEXEC
#define WNOHANG 1
#define PR_SET_NAME 15
#define PR_SET_PDEATHSIG 1

/* FLAGS */
#define F_NEWPID 1      /* a new pid namespace */
#define F_SETSID 2      /* the command in a session of its own (run --detach) */
#define F_NO_CLONE3 4   /* behave as on a kernel without clone3 (test-faults=clone3:...:ENOSYS) */
#define F_NO_NS_LAST_PID 8 /* behave as when ns_last_pid cannot be opened (test-faults) */

/* Report records: tag, value, errno (positive), attempt. */
enum tag {
    R_PLACED = 1,        /* value: the PID, as this program's pid namespace sees it; errno 0: clone3, 1: ns_last_pid */
    R_LOST = 2,          /* ns_last_pid: another process took WANT; value: the PID the child got (it exits 125) */
    R_RACE = 3,          /* ns_last_pid: lost the race every time; value: attempts */
    R_CLONE3 = 4,        /* clone3 failed other than ENOSYS/E2BIG; errno */
    R_CLONE = 5,         /* clone (fallback) failed; errno */
    R_NS_LAST_PID = 6,   /* ns_last_pid could not be opened (value 0), locked (1) or written (2); errno */
    R_CHILD_PID = 7,     /* the child's getpid() was not WANT; value: what it was */
    R_EXEC = 8,          /* the child's execve failed; errno */
    R_NS_CLONE3 = 9,     /* the init's clone3 of NSPID failed; errno */
    R_SETSID = 10,       /* the child's setsid failed; errno */
    R_USAGE = 11,        /* bad arguments (a bug in the command line) */
};

struct report {
    s32 tag;
    s32 err;
    s64 value;
};

struct clone_args {
    u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size;
};

struct signalfd_siginfo {
    u32 ssi_signo;
    s32 ssi_errno;
    s32 ssi_code;
    u32 rest[29];
};

struct kernel_sigaction {
    u64 handler, flags, restorer, mask;
};

#if defined(__x86_64__)
static inline s64 sys6(s64 n, s64 a, s64 b, s64 c, s64 d, s64 e, s64 f) {
    register s64 r10 __asm__("r10") = d;
    register s64 r8 __asm__("r8") = e;
    register s64 r9 __asm__("r9") = f;
    s64 ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#else
static inline s64 sys6(s64 n, s64 a, s64 b, s64 c, s64 d, s64 e, s64 f) {
    register s64 x8 __asm__("x8") = n;
    register s64 x0 __asm__("x0") = a;
    register s64 x1 __asm__("x1") = b;
    register s64 x2 __asm__("x2") = c;
    register s64 x3 __asm__("x3") = d;
    register s64 x4 __asm__("x4") = e;
    register s64 x5 __asm__("x5") = f;
    __asm__ volatile("svc 0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
    return x0;
}
#endif
#define sys0(n) sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6(n, (s64)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6(n, (s64)(a), (s64)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6(n, (s64)(a), (s64)(b), (s64)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6(n, (s64)(a), (s64)(b), (s64)(c), (s64)(d), 0, 0)

#define REPORT_FD 3
#define ATTEMPTS 64

static __attribute__((noreturn)) void quit(int code) {
    for (;;) {
        sys1(NR_exit_group, code);
    }
}

static void report(s32 tag, s32 err, s64 value) {
    struct report r = {tag, err, value};
    sys3(NR_write, REPORT_FD, &r, sizeof r);
}

static s64 number(const char *s) {
    s64 v = 0;
    if (!s || !*s) {
        return -1;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000000L) {
            return -1;
        }
        v = v * 10 + (*s - '0');
    }
    return v;
}

static void set_mask(u64 mask) {
    sys4(NR_rt_sigprocmask, SIG_SETMASK, &mask, 0, 8);
}

/* The command's side of the fork: checked, then executed. Never returns. */
static __attribute__((noreturn)) void become(s64 want, s64 flags, const char *path, char **argv, char **envp) {
    if (want > 0) {
        s64 got = sys0(NR_getpid);
        if (got != want) {
            report(R_CHILD_PID, 0, got);
            quit(125);
        }
    }
    sys3(NR_fcntl, REPORT_FD, F_SETFD, FD_CLOEXEC);
    if (flags & F_SETSID) {
        s64 r = sys0(NR_setsid);
        if (r < 0) {
            report(R_SETSID, (s32)-r, 0);
            quit(127);
        }
    }
    set_mask(0);
    s64 r = sys3(NR_execve, path, argv, envp);
    report(R_EXEC, (s32)-r, 0);
    quit(127);
}

static int is_forwarded(u32 sig) {
    return sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT || sig == SIGUSR1 || sig == SIGUSR2;
}

/* Ends with the child's status: its exit code, or (reraise) dying of the same signal. */
static __attribute__((noreturn)) void finish(s32 status, int reraise) {
    s32 sig = status & 0x7f;
    if (sig == 0) {
        quit((status >> 8) & 0xff);
    }
    /* signals whose default action ends the process without a core dump */
    int plain = sig == SIGHUP || sig == SIGINT || sig == 9 || sig == SIGUSR1 || sig == SIGUSR2 || sig == 13
            || sig == 14 || sig == SIGTERM;
    if (reraise && plain) {
        struct kernel_sigaction dfl = {0, 0, 0, 0};
        sys4(NR_rt_sigaction, sig, &dfl, 0, 8);
        s64 pid = sys0(NR_getpid);
        sys2(NR_kill, pid, sig);
        set_mask(0);
    }
    quit(128 + sig);
}

/* Forwards signals to child and reaps; ends when child ends. Signals are blocked on entry. */
static __attribute__((noreturn)) void supervise(s64 child, int reraise) {
    u64 all = ~0UL;
    s64 sfd = sys4(NR_signalfd4, -1, &all, 8, SFD_CLOEXEC);
    for (;;) {
        s32 status = 0;
        s64 p;
        while ((p = sys4(NR_wait4, -1, &status, WNOHANG, 0)) > 0) {
            if (p == child) {
                finish(status, reraise);
            }
        }
        if (p == -ECHILD) {
            quit(127);
        }
        if (sfd < 0) {
            /* no signalfd: wait for the child itself, forwarding nothing */
            p = sys4(NR_wait4, child, &status, 0, 0);
            if (p == child) {
                finish(status, reraise);
            }
            continue;
        }
        struct signalfd_siginfo si;
        s64 n = sys3(NR_read, sfd, &si, sizeof si);
        if (n == (s64)sizeof si && is_forwarded(si.ssi_signo) && si.ssi_code != SI_KERNEL) {
            sys2(NR_kill, child, si.ssi_signo);
        }
    }
}

/* PID 1 of the new pid namespace when the command is to be NSPID there. */
static __attribute__((noreturn)) void init(s64 nspid, s64 flags, const char *path, char **argv, char **envp) {
    set_mask(~0UL);
    sys2(NR_prctl, PR_SET_NAME, "selfrestore");
    s64 tid = nspid;
    struct clone_args ca = {0};
    ca.exit_signal = SIGCHLD;
    ca.set_tid = (u64)&tid;
    ca.set_tid_size = 1;
    s64 r = sys2(NR_clone3, &ca, sizeof ca);
    if (r == 0) {
        become(nspid, flags, path, argv, envp);
    }
    if (r < 0) {
        report(R_NS_CLONE3, (s32)-r, nspid);
        quit(1);
    }
    sys1(NR_close, REPORT_FD);
    supervise(r, 0);
}

static void decimal(char *buf, s64 v, s64 *len) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    for (int i = 0; i < n; i++) {
        buf[i] = tmp[n - 1 - i];
    }
    *len = n;
}

/* Kernels without clone3's set_tid: ns_last_pid under its file lock, checked, retried. */
static __attribute__((noreturn)) void place_by_ns_last_pid(s64 want, s64 flags, const char *path, char **argv,
                                                            char **envp) {
    static const char ns_last_pid[] = "/proc/sys/kernel/ns_last_pid";
    s64 fd = (flags & F_NO_NS_LAST_PID) ? -ENOSYS : sys4(NR_openat, AT_FDCWD, ns_last_pid, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) {
        report(R_NS_LAST_PID, (s32)-fd, 0);
        quit(1);
    }
    char buf[24];
    s64 len;
    decimal(buf, want - 1, &len);
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        s64 r = sys2(NR_flock, fd, LOCK_EX);
        if (r < 0) {
            report(R_NS_LAST_PID, (s32)-r, 1);
            quit(1);
        }
        r = sys4(NR_pwrite64, fd, buf, len, 0);
        if (r < 0) {
            report(R_NS_LAST_PID, (s32)-r, 2);
            quit(1);
        }
        r = sys6(NR_clone, CLONE_PARENT, 0, 0, 0, 0, 0);
        if (r == 0) {
            become(want, flags, path, argv, envp);
        }
        sys2(NR_flock, fd, LOCK_UN);
        if (r < 0) {
            report(R_CLONE, (s32)-r, 0);
            quit(1);
        }
        if (r == want) {
            report(R_PLACED, 1, r);
            quit(0);
        }
        report(R_LOST, attempt, r);
    }
    report(R_RACE, 0, ATTEMPTS);
    quit(1);
}

static __attribute__((noreturn)) void place(s64 want, s64 flags, s64 nspid, const char *path, char **argv,
                                            char **envp) {
    struct clone_args ca = {0};
    s64 tid = want;
    if (flags & F_NEWPID) {
        ca.flags = CLONE_NEWPID | CLONE_PARENT;
    } else {
        ca.flags = CLONE_PARENT;
        ca.set_tid = (u64)&tid;
        ca.set_tid_size = 1;
    }
    s64 r = (flags & F_NO_CLONE3) ? -ENOSYS : sys2(NR_clone3, &ca, sizeof ca);
    if (r == 0) {
        if ((flags & F_NEWPID) && nspid > 1) {
            init(nspid, flags, path, argv, envp);
        }
        become((flags & F_NEWPID) ? 1 : want, flags, path, argv, envp);
    }
    if (r > 0) {
        report(R_PLACED, 0, r);
        quit(0);
    }
    if ((r == -ENOSYS || r == -E2BIG) && !(flags & F_NEWPID)) {
        place_by_ns_last_pid(want, flags, path, argv, envp);
    }
    report(R_CLONE3, (s32)-r, 0);
    quit(1);
}

/* The C entry, called by _start with the initial stack: argc, argv..., NULL, envp..., NULL. */
__attribute__((noreturn, used)) void selfrestore_main(s64 *sp) {
    s64 argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    set_mask(0);
    sys2(NR_prctl, PR_SET_NAME, "selfrestore");
    if (argc >= 7 && argv[1][0] == 'p') {
        s64 want = number(argv[2]), flags = number(argv[3]), nspid = number(argv[4]);
        if (want < 0 || flags < 0 || nspid < 0) {
            report(R_USAGE, EINVAL, 0);
            quit(2);
        }
        sys3(NR_close_range, REPORT_FD + 1, ~0U, 0);
        place(want, flags, nspid, argv[5], argv + 6, envp);
    }
    if (argc == 3 && argv[1][0] == 'w') {
        s64 child = number(argv[2]);
        if (child <= 0) {
            quit(2);
        }
        sys3(NR_close_range, 3, ~0U, 0);
        set_mask(~0UL);
        supervise(child, 1);
    }
    quit(2);
}

/* The compiler may call these for structure assignments. */
__attribute__((used)) void *memset(void *d, int c, unsigned long n) {
    unsigned char *p = d;
    while (n--) {
        *p++ = (unsigned char)c;
    }
    return d;
}

__attribute__((used)) void *memcpy(void *d, const void *s, unsigned long n) {
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--) {
        *p++ = *q++;
    }
    return d;
}

#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n  xor %ebp, %ebp\n  mov %rsp, %rdi\n  and $-16, %rsp\n"
        "  call selfrestore_main\n  hlt\n");
#else
__asm__(".text\n.global _start\n_start:\n  mov x29, #0\n  mov x30, #0\n  mov x0, sp\n"
        "  bl selfrestore_main\n  brk #0\n");
#endif
