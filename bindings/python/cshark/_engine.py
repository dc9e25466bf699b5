"""Sharing the engine between captures.

Wireshark's engine keeps its dissection state in globals, so the C library
has one capture open at a time. PyShark, with a tshark process per
iteration, lets a program read several captures at once (two FileCaptures in
turn, cap[0] and then a for loop over the same capture, captures in several
threads). A Stream is one such sequence of packets; streams take the engine
in turn:

- A stream on a file can be suspended: its capture is closed and, when it
  next needs a packet, opened again with the same options and the packets it
  had delivered dissected again and skipped. Dissection from the start is
  deterministic, so the packets that follow are the ones it would have given.
- A stream in the middle of a read (inside the engine) is never suspended. In
  the thread that owns a stream, another stream takes the engine at once;
  from another thread, it waits until the owner has been idle for
  IDLE_SECONDS (or its thread is gone), so two threads reading two files
  take turns instead of re-reading each other's prefix packet by packet.
- A live capture cannot be re-read, so it is never suspended: other
  threads wait for it to end, and the same thread gets an error.
"""
import os
import threading
import time

from cshark import _cshark
from cshark.exceptions import CsharkError

__all__ = ['Stream']

IDLE_SECONDS = 0.1

_cond = threading.Condition()
_owner = None  # the Stream whose capture is open in the engine


class Stream:
    """Packets of one capture configuration, read through the shared engine.

    OPENER returns a new cshark._cshark.Capture with every option applied.
    A resumable stream gives the engine up when another capture needs it and
    reopens later: by default it then skips what it delivered (a file goes on
    where it was); with replay=False it starts afresh (fed frames).
    """

    def __init__(self, opener, resumable=True, name='capture', replay=True):
        self._opener = opener
        self.resumable = resumable
        self.replay = replay
        self.name = name
        self.raw = None
        self.delivered = 0
        self.done = False
        self.busy = False
        self.thread = None
        self.last = 0.0
        self.yielded = 0.0  # when an async reader last let the event loop run
        self.last_stats = None
        self.on_close = None  # fn(raw) before the capture closes

    # ---- engine ownership (called with _cond held) ---------------------------

    def _acquire_locked(self):
        global _owner
        me = threading.current_thread()
        while True:
            owner = _owner
            if owner is None or owner is self:
                _owner = self
                return
            if not owner.busy:
                thread = owner.thread
                gone = thread is None or not thread.is_alive()
                if owner.resumable and (gone or thread is me
                                        or time.monotonic() - owner.last >= IDLE_SECONDS):
                    owner._close_locked(suspend=True)
                    _owner = self
                    return
                if not owner.resumable and gone:
                    owner._close_locked(suspend=False)
                    _owner = self
                    return
                if not owner.resumable and thread is me:
                    raise CsharkError(
                        f'the engine dissects one capture at a time and {owner.name}, which '
                        'cannot be paused, is still open in this thread: close it (or finish '
                        'reading it) before reading another capture')
            _cond.wait(0.05)

    def _close_locked(self, suspend):
        global _owner
        raw, self.raw = self.raw, None
        if raw is not None:
            try:
                self.last_stats = raw.stats()
            except Exception:
                pass
            if self.on_close is not None:
                try:
                    self.on_close(raw)
                except Exception:
                    pass
            raw.close()
        if not suspend:
            self.done = True
        if _owner is self:
            _owner = None
            _cond.notify_all()

    # ---- reading ---------------------------------------------------------------

    def open(self):
        """Take the engine and open the capture now (to report option errors
        before the first packet)."""
        try:
            self._take()
        finally:
            self.busy = False
            self.last = time.monotonic()

    def _take(self):
        """Own the engine with the capture open and busy set: the capture,
        or None when the stream was closed meanwhile."""
        with _cond:
            if self.done:
                return None
            if _owner is not self or self.raw is None:
                self._acquire_locked()
                if self.done:
                    return None
            self.busy = True
            self.thread = threading.current_thread()
            raw = self.raw
        if raw is not None:
            return raw
        try:
            raw = self._opener()
        except BaseException:
            self.busy = False
            self.close()
            raise
        try:
            for _ in range(self.delivered if self.replay else 0):  # resuming: skip them
                if raw.next() is None:
                    break
        except BaseException:
            raw.close()
            self.busy = False
            self.close()
            raise
        with _cond:
            if self.done:  # closed from another thread meanwhile
                raw.close()
                return None
            self.raw = raw
        return raw

    def next(self, timeout=None):
        """The next raw packet; None at the end; TimeoutError (live) when none
        came within TIMEOUT seconds."""
        raw = self._take()
        if raw is None:
            self.busy = False
            return None
        try:
            pkt = raw.next(timeout)
        except TimeoutError:
            self.busy = False
            self.last = time.monotonic()
            raise
        except CsharkError:
            self.busy = False
            if self.done:  # closed from another thread during the read
                return None
            self.close()
            raise
        except BaseException:
            self.busy = False
            self.close()
            raise
        self.busy = False
        self.last = time.monotonic()
        if pkt is None:
            self.close()
        else:
            self.delivered += 1
        return pkt

    def call(self, fn):
        """FN(raw capture) with the engine owned (opening it if need be)."""
        raw = self._take()
        if raw is None:
            self.busy = False
            raise CsharkError(f'{self.name} is closed')
        try:
            return fn(raw)
        finally:
            self.busy = False
            self.last = time.monotonic()

    def stop(self):
        """End a live capture from any thread: the pending or next read ends."""
        raw = self.raw
        if raw is not None:
            raw.stop()

    def stats(self):
        raw = self.raw
        if raw is not None:
            try:
                return raw.stats()
            except CsharkError:
                pass
        return self.last_stats

    def close(self):
        """End the stream: its capture is closed for good."""
        if self.busy:
            self.stop()
        with _cond:
            self._close_locked(suspend=False)

    def release(self):
        """Give the engine up: a file stream closes its capture but keeps its
        place (a later next() reopens it and goes on); a live one ends."""
        if not self.resumable:
            self.close()
            return
        with _cond:
            if self.busy and self.thread is not threading.current_thread():
                # Inside a read in another thread, which needs the engine
                # again at once: it goes on; the stream is released when
                # that thread ends it or another stream takes the engine.
                return
            self._close_locked(suspend=True)


# ---- fork -----------------------------------------------------------------------
# A child process has only the forking thread. The parent takes the engine
# (and every read-ahead worker's locks) before os.fork(), so that none is held
# by a thread the child does not have. In the child, the capture that was
# open is suspended: it shares its file offset with the parent, so a file
# reopens and skips what it had delivered when read again; a live capture ends.

def _before_fork():
    _cond.acquire()
    _cshark._before_fork()


def _after_fork_in_parent():
    _cshark._after_fork_parent()
    _cond.release()


def _after_fork_in_child():
    _cshark._after_fork_child()
    owner = _owner
    if owner is not None:
        owner.busy = False
        owner._close_locked(suspend=owner.resumable)
    _cond.release()


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                    after_in_child=_after_fork_in_child)
