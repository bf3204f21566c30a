"""Lifetime of a C handle shared by Python threads.

ctypes releases the GIL during a call, so another thread may close (or
the garbage collector may finalise) an object while C still works with
its handle.  A handle therefore counts its users: close() marks it
closed and frees it at once only when no call is using it; otherwise the
last call to finish frees it.  Using a closed handle raises ValueError,
as a closed file does.
"""
import threading


class Handle:
    def __init__(self, ptr, destroy, what):
        self._ptr = ptr
        self._destroy = destroy
        self._what = what
        self._lock = threading.Lock()
        self._users = 0
        self._closed = False

    def acquire(self):
        with self._lock:
            if self._closed:
                raise ValueError(f"wrapgemm: {self._what} is closed")
            self._users += 1
            return self._ptr

    def release(self):
        with self._lock:
            self._users -= 1
            free = self._closed and self._users == 0
        if free:
            self._free()

    def close(self):
        with self._lock:
            if self._closed:
                return
            self._closed = True
            free = self._users == 0
        if free:
            self._free()

    @property
    def closed(self):
        return self._closed

    def _free(self):
        ptr, self._ptr = self._ptr, None
        if ptr:
            self._destroy(ptr)


class Using:
    """with Using(a, b) as (pa, pb): ... -- the handles' pointers, held."""

    def __init__(self, *handles):
        self._handles = handles
        self._held = []

    def __enter__(self):
        try:
            for h in self._handles:
                self._held.append((h, h.acquire()))
        except BaseException:
            self.__exit__()
            raise
        return [p for _, p in self._held]

    def __exit__(self, *exc):
        while self._held:
            self._held.pop()[0].release()
        return False
