/* -j N: the files of -r read by N worker processes, forked once the engine
 * is initialised so that each starts with a ready engine (copy-on-write;
 * cshark_fork_check()). An idle worker takes the next file; the parent
 * relays the workers' output in the order of the files: the head file's
 * straight to stdout, the others' into an unlinked temporary file ($TMPDIR)
 * until their turn, so that a slow first file holds nothing in memory.
 *
 * A worker sends its output as messages on a pipe: DATA, the document's
 * HEAD (kept only from the first file read, as files.c does), and DONE
 * with the file's status and error. A worker that dies mid-file fails that
 * file, named (never a silent short output), and a new one takes its place.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

enum { MSG_DATA, MSG_HEAD, MSG_DONE };
typedef struct {
    uint32_t type, len; /* LEN bytes follow */
} msg_hdr;
typedef struct {
    int32_t status, fatal, interrupted; /* capture_result's; the error's text follows */
} msg_done;

/* ---- The worker ---------------------------------------------------------- */

static struct {
    int fd;            /* its message pipe */
    uint32_t kind;     /* what its output is now: MSG_DATA or MSG_HEAD */
    const char *path;  /* the file it reads */
    const char *kill_on; /* test only: CSHARK_TEST_KILL_WORKER_ON */
} me;

static int write_all(int fd, struct iovec *v, int n)
{
    while (n > 0) {
        ssize_t w = writev(fd, v, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        for (; n > 0 && (size_t)w >= v->iov_len; v++, n--)
            w -= (ssize_t)v->iov_len;
        if (n > 0) {
            v->iov_base = (char *)v->iov_base + w;
            v->iov_len -= (size_t)w;
        }
    }
    return 0;
}

static int send_msg(uint32_t type, const void *a, size_t alen, const void *b, size_t blen)
{
    msg_hdr h = { type, (uint32_t)(alen + blen) };
    struct iovec v[] = { { &h, sizeof h }, { (void *)a, alen }, { (void *)b, blen } };
    return write_all(me.fd, v, 3);
}

/* The worker's stdout: each buffer its stdio flushes becomes one message. */
static ssize_t out_write(void *cookie, const char *buf, size_t n)
{
    (void)cookie;
    if (send_msg(me.kind, buf, n, NULL, 0) != 0)
        return -1;
    /* Test only (tests/python/test_cli_multi.py): a worker killed mid-file,
     * once the file's first output has left. */
    if (me.kill_on && strcmp(me.kill_on, me.path) == 0)
        raise(SIGKILL);
    return (ssize_t)n;
}

static void mark_head(FILE *out, int head)
{
    fflush(out);
    me.kind = head ? MSG_HEAD : MSG_DATA;
}

static void read_full(int fd, void *buf, size_t n, size_t *got)
{
    for (*got = 0; *got < n;) {
        ssize_t r = read(fd, (char *)buf + *got, n - *got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        *got += (size_t)r;
    }
}

/* Read the files whose numbers come on CMD until it closes. */
static _Noreturn void worker(const cli_options *o, int cmd, int fd, pid_t parent)
{
    /* Never outlive the parent (its death closes nothing we would notice
     * while dissecting a long file). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(EXIT_CAPTURE);
    me.fd = fd;
    me.kill_on = getenv("CSHARK_TEST_KILL_WORKER_ON");
    FILE *out = fopencookie(NULL, "w", (cookie_io_functions_t){ .write = out_write });
    if (!out)
        _exit(EXIT_CAPTURE);
    setvbuf(out, NULL, _IOFBF, 1 << 16);
    capture_out co = { .out = out, .head = 1, .mark = mark_head };
    static capture_result r;
    uint32_t i;
    size_t got;
    for (;;) {
        read_full(cmd, &i, sizeof i, &got);
        if (got != sizeof i || i >= o->npaths)
            break;
        me.path = co.json_file = o->paths[i];
        me.kind = MSG_DATA;
        read_capture(o, me.path, &co, &r);
        msg_done d = { r.status, r.fatal, r.interrupted };
        if (fflush(out) != 0 ||
            send_msg(MSG_DONE, &d, sizeof d, r.message, strlen(r.message)) != 0)
            _exit(EXIT_CAPTURE);
        if (cli_signalled()) /* no new file after a signal */
            break;
    }
    _exit(0); /* not exit(): the parent's stdio buffers are not ours */
}

/* ---- The parent ---------------------------------------------------------- */

typedef struct {
    pid_t pid;        /* 0: none */
    int cmd, data;    /* socket for file numbers, pipe of its messages; -1 */
    long file;        /* the file it reads; -1 when idle */
    int spill;        /* output of files before their turn; -1 until needed */
    off_t spill_end;
} slot;

typedef struct {
    int slot;           /* the slot whose spill file holds its early output */
    off_t off, len;     /* that output in it */
    char *head;         /* its document head, kept until its turn */
    size_t head_len;
    int done;
    capture_result *r;  /* once done */
} file_state;

typedef struct {
    const cli_options *o;
    slot *slots;
    unsigned nslots;
    file_state *files;
    size_t next, head;  /* the next file to hand out; the one being printed */
    uint32_t *order;    /* the files to hand out, largest first */
    int doc_started, status, stop, out_failed;
    int interrupted;    /* a signal came: no new file; stop after the head one */
} pool;

/* Whole-file failure: the worker's own message, or this. */
static capture_result *result_of(const char *path, int status, const char *fmt, long arg)
{
    capture_result *r = calloc(1, sizeof *r);
    r->status = status;
    int n = snprintf(r->message, sizeof r->message, "\"%s\": ", path);
    snprintf(r->message + n, sizeof r->message - (size_t)n, fmt, arg);
    return r;
}

static void stop_on_stdout(pool *p)
{
    if (!p->out_failed)
        cli_fail(EXIT_CAPTURE, "%s", "error writing to standard output");
    p->stop = p->out_failed = 1;
    p->status = EXIT_CAPTURE;
}

static int write_out(pool *p, const char *buf, size_t n)
{
    while (n > 0 && !p->stop) {
        ssize_t w = write(STDOUT_FILENO, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            stop_on_stdout(p);
        else
            buf += w, n -= (size_t)w;
    }
    return p->stop ? -1 : 0;
}

/* LEN bytes from the pipe FROM to TO (at *OFF when not NULL): spliced,
 * else copied. -1 when the pipe ends first (the worker died), -2 when TO
 * fails. */
static int move(int from, int to, loff_t *off, size_t len)
{
    static int no_splice;
    char buf[1 << 16];
    while (len > 0) {
        ssize_t n = no_splice ? -1 : splice(from, NULL, to, off, len, SPLICE_F_MOVE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (no_splice || errno == EINVAL)) {
            no_splice = 1; /* a terminal, or an old kernel */
            n = read(from, buf, len < sizeof buf ? len : sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n > 0) {
                for (ssize_t done = 0, w; done < n; done += w) {
                    w = off ? pwrite(to, buf + done, (size_t)(n - done), *off + done)
                            : write(to, buf + done, (size_t)(n - done));
                    if (w < 0 && errno != EINTR)
                        return -2;
                    w = w < 0 ? 0 : w;
                }
                if (off)
                    *off += n;
            }
        } else if (n < 0) {
            return errno == EPIPE || errno == EBADF || errno == ENOSPC || errno == EIO ? -2 : -1;
        }
        if (n == 0)
            return -1;
        len -= (size_t)n;
    }
    return 0;
}

static int spill_file(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/cshark-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    return fd;
}

static int spawn(pool *p, slot *s)
{
    int cmd[2], data[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, cmd) != 0)
        return -1;
    if (pipe(data) != 0) {
        close(cmd[0]), close(cmd[1]);
        return -1;
    }
    fcntl(data[0], F_SETPIPE_SZ, 1 << 20); /* fewer wake-ups; a hint */
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        /* Only its own ends: another worker's would keep that one's pipes
         * open after it died. */
        for (unsigned k = 0; k < p->nslots; k++) {
            slot *t = &p->slots[k];
            if (t->pid > 0)
                close(t->cmd), close(t->data);
            if (t->spill >= 0)
                close(t->spill);
        }
        close(cmd[0]), close(data[0]);
        worker(p->o, cmd[1], data[1], parent);
    }
    close(cmd[1]), close(data[1]);
    if (pid < 0) {
        close(cmd[0]), close(data[0]);
        return -1;
    }
    *s = (slot){ pid, cmd[0], data[0], -1, s->spill, s->spill_end };
    return 0;
}

/* The next file to an idle worker; with none left, it may go. */
static void dispatch(pool *p, slot *s)
{
    if (p->next >= p->o->npaths || p->stop || p->interrupted) {
        if (s->cmd >= 0)
            close(s->cmd), s->cmd = -1;
        return;
    }
    uint32_t i = p->order[p->next];
    if (send(s->cmd, &i, sizeof i, MSG_NOSIGNAL) != sizeof i)
        return; /* it died: its pipe's end says so */
    s->file = (long)i;
    p->next++;
}

static void finish(pool *p, long file, capture_result *r)
{
    p->files[file].done = 1;
    p->files[file].r = r;
}

/* The worker of S is gone: its file fails, naming it, and another worker
 * takes the slot if files remain. */
static void lost(pool *p, slot *s)
{
    int ws = 0;
    kill(s->pid, SIGKILL); /* it may have broke the protocol alive */
    close(s->data), s->data = -1;
    if (s->cmd >= 0)
        close(s->cmd), s->cmd = -1;
    waitpid(s->pid, &ws, 0);
    s->pid = 0;
    if (s->file >= 0) {
        const char *path = p->o->paths[s->file];
        finish(p, s->file,
               WIFSIGNALED(ws)
                   ? result_of(path, EXIT_CAPTURE, "the worker reading it was killed by "
                               "signal %ld; its output is cut short", WTERMSIG(ws))
                   : result_of(path, EXIT_CAPTURE, "the worker reading it ended with status "
                               "%ld; its output is cut short", WEXITSTATUS(ws)));
        s->file = -1;
    }
    if (p->next < p->o->npaths && !p->stop && !p->interrupted && spawn(p, s) == 0)
        dispatch(p, s);
}

/* One message from S's worker. */
static void on_message(pool *p, slot *s)
{
    msg_hdr h;
    size_t got;
    read_full(s->data, &h, sizeof h, &got);
    if (got != sizeof h || s->file < 0)
        return lost(p, s);
    file_state *f = &p->files[s->file];
    int at_head = (size_t)s->file == p->head, rc = 0;
    if (h.type == MSG_DATA && at_head) {
        rc = move(s->data, STDOUT_FILENO, NULL, h.len);
        if (rc == -2)
            stop_on_stdout(p);
    } else if (h.type == MSG_DATA) {
        if (s->spill < 0 && (s->spill = spill_file()) < 0) {
            cli_fail(EXIT_CAPTURE, "cannot make a temporary file: %s", strerror(errno));
            p->stop = 1, p->status = EXIT_CAPTURE;
            return;
        }
        if (f->len == 0) {
            f->slot = (int)(s - p->slots);
            f->off = s->spill_end;
        }
        rc = move(s->data, s->spill, &s->spill_end, h.len);
        f->len += h.len;
        if (rc == -2) {
            cli_fail(EXIT_CAPTURE, "cannot write a temporary file: %s", strerror(errno));
            p->stop = 1, p->status = EXIT_CAPTURE;
        }
    } else {
        char *buf = malloc(h.len + 1);
        read_full(s->data, buf, h.len, &got);
        buf[h.len] = '\0';
        if (got != h.len) {
            free(buf);
            return lost(p, s);
        }
        if (h.type == MSG_HEAD && at_head) {
            if (!p->doc_started++)
                write_out(p, buf, h.len);
        } else if (h.type == MSG_HEAD) {
            f->head = realloc(f->head, f->head_len + h.len);
            memcpy(f->head + f->head_len, buf, h.len);
            f->head_len += h.len;
        } else if (h.type == MSG_DONE && h.len >= sizeof(msg_done)) {
            msg_done d;
            memcpy(&d, buf, sizeof d);
            capture_result *r = calloc(1, sizeof *r);
            r->status = d.status;
            r->fatal = d.fatal;
            r->interrupted = d.interrupted;
            snprintf(r->message, sizeof r->message, "%s", buf + sizeof d);
            finish(p, s->file, r);
            s->file = -1;
            dispatch(p, s);
        }
        free(buf);
    }
    if (rc == -1)
        lost(p, s);
}

/* A signal reached the parent (Ctrl-C reaches the workers too; kill(1)
 * may not): every worker stops after its packet, none takes a new file. */
static void interrupt(pool *p)
{
    p->interrupted = 1;
    for (unsigned k = 0; k < p->nslots; k++) {
        slot *s = &p->slots[k];
        if (s->pid > 0)
            kill(s->pid, SIGINT);
        if (s->cmd >= 0 && s->file < 0)
            close(s->cmd), s->cmd = -1;
    }
}

/* Print what is ready, in the files' order: a file's kept head and spilled
 * output when its turn comes, then its error once it is done. */
static void advance(pool *p, int *turn_started)
{
    while (p->head < p->o->npaths && !p->stop) {
        file_state *f = &p->files[p->head];
        if (!*turn_started) {
            *turn_started = 1;
            if (f->head && !p->doc_started++)
                write_out(p, f->head, f->head_len);
            free(f->head), f->head = NULL;
            if (f->len > 0) {
                slot *s = &p->slots[f->slot];
                off_t off = f->off;
                for (off_t left = f->len; left > 0 && !p->stop;) {
                    ssize_t n = sendfile(STDOUT_FILENO, s->spill, &off, (size_t)left);
                    if (n < 0 && errno == EINTR)
                        continue;
                    if (n <= 0) { /* sendfile to a terminal: copied */
                        char buf[1 << 16];
                        n = pread(s->spill, buf, left < (off_t)sizeof buf ? (size_t)left
                                                                          : sizeof buf, off);
                        if (n <= 0 || write_out(p, buf, (size_t)n) != 0) {
                            stop_on_stdout(p);
                            break;
                        }
                        off += n;
                    }
                    left -= n;
                }
                /* No hole punched in it now: sendfile() into a pipe lends
                 * the file's pages, which the reader may not have read yet.
                 * The space comes back at the exit (it is unlinked). */
                f->len = 0;
            }
        }
        if (!f->done || p->stop)
            break;
        report(f->r, &p->status);
        /* As one process reading the files in turn: a signal ends the
         * output with the file being printed, status 2, silently. */
        if ((f->r->interrupted || p->interrupted) && !p->status)
            p->status = EXIT_CAPTURE;
        p->stop = f->r->fatal || f->r->interrupted || p->interrupted;
        free(f->r), f->r = NULL;
        p->head++;
        *turn_started = 0;
    }
}

static off_t *sort_sizes; /* for by_size: qsort has no context argument */

static int by_size(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (sort_sizes[x] != sort_sizes[y])
        return sort_sizes[x] > sort_sizes[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Largest first (LPT): a big file handed out last would leave the other
 * workers idle at the end. Output still follows the files' order. */
static uint32_t *dispatch_order(const cli_options *o)
{
    uint32_t *order = malloc(o->npaths * sizeof *order);
    off_t *sizes = malloc(o->npaths * sizeof *sizes);
    for (size_t i = 0; i < o->npaths; i++) {
        struct stat st;
        order[i] = (uint32_t)i;
        sizes[i] = stat(o->paths[i], &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;
    }
    sort_sizes = sizes;
    qsort(order, o->npaths, sizeof *order, by_size);
    free(sizes);
    sort_sizes = NULL;
    return order;
}

int read_in_workers(const cli_options *o, unsigned nworkers)
{
    if (cshark_fork_check() != CSHARK_OK)
        return cli_fail(EXIT_CAPTURE, "%s", cshark_last_error());
    pool p = { .o = o, .nslots = nworkers };
    p.order = dispatch_order(o);
    p.slots = calloc(nworkers, sizeof *p.slots);
    p.files = calloc(o->npaths, sizeof *p.files);
    fflush(stdout); /* nothing of ours in it for a child to write again */
    fflush(stderr);
    live_catch_signals(NULL); /* the workers inherit the handlers */
    for (unsigned k = 0; k < nworkers; k++)
        p.slots[k] = (slot){ .cmd = -1, .data = -1, .file = -1, .spill = -1 };
    for (unsigned k = 0; k < nworkers; k++)
        if (spawn(&p, &p.slots[k]) == 0)
            dispatch(&p, &p.slots[k]);
    int turn_started = 0;
    struct pollfd *fds = calloc(nworkers, sizeof *fds);
    while (p.head < o->npaths && !p.stop) {
        advance(&p, &turn_started);
        unsigned n = 0;
        for (unsigned k = 0; k < nworkers; k++)
            if (p.slots[k].data >= 0)
                fds[n++] = (struct pollfd){ p.slots[k].data, POLLIN, 0 };
        if (p.head >= o->npaths || p.stop)
            break;
        if (n == 0) { /* no worker could be started */
            cli_fail(EXIT_CAPTURE, "cannot start a worker process: %s", strerror(errno));
            p.status = EXIT_CAPTURE;
            break;
        }
        if (poll(fds, n, -1) < 0 && errno != EINTR)
            break;
        if (cli_signalled() && !p.interrupted)
            interrupt(&p);
        for (unsigned i = 0; i < n && !p.stop; i++) {
            if (!fds[i].revents)
                continue;
            for (unsigned k = 0; k < nworkers; k++)
                if (p.slots[k].data == fds[i].fd)
                    on_message(&p, &p.slots[k]);
        }
    }
    if (p.doc_started && !p.out_failed) { /* well-formed, even after an error */
        print_finale(stdout, o);
        if (fflush(stdout) != 0)
            stop_on_stdout(&p);
    }
    for (unsigned k = 0; k < nworkers; k++) {
        slot *s = &p.slots[k];
        if (s->pid > 0 && p.stop)
            kill(s->pid, SIGKILL);
        if (s->cmd >= 0)
            close(s->cmd);
        if (s->data >= 0)
            close(s->data);
        if (s->pid > 0)
            waitpid(s->pid, NULL, 0);
        if (s->spill >= 0)
            close(s->spill);
    }
    for (size_t i = 0; i < o->npaths; i++)
        free(p.files[i].head), free(p.files[i].r);
    live_release_signals();
    free(fds);
    free(p.files);
    free(p.slots);
    free(p.order);
    return p.status;
}
