"""Exceptions named after the library's statuses.

Every failing call raises a subclass of WgError: BadSize for
WG_ERR_BAD_SIZE, Aliasing for WG_ERR_ALIASING, and so on (the class name
is the status name without WG_ERR_, in CamelCase).  The exception carries
.status (the int), .status_name ("WG_ERR_BAD_SIZE") and .function (the C
function, or "python" for a check the binding makes itself because C
cannot see it: an array's shape against the weights, a row stride that is
not a whole number of elements).  Argument errors also derive from
ValueError and NO_MEMORY from MemoryError, so generic handlers work.

A library newer than this table may return a status the table lacks:
the class for it is made on first use from wg_status_name, so it is still
named after the status.
"""
from .capi import Status, lib

# status -> extra standard base class
_BASES = {
    Status.NULL_POINTER: ValueError,
    Status.BAD_SIZE: ValueError,
    Status.SIZE_OVERFLOW: ValueError,
    Status.BAD_STRIDE: ValueError,
    Status.BAD_CODE: ValueError,
    Status.BAD_OPTION: ValueError,
    Status.NO_MEMORY: MemoryError,
    Status.UNKNOWN_KERNEL: ValueError,
    Status.ALIASING: ValueError,
    Status.MISALIGNED: ValueError,
}


class WgError(Exception):
    """A wrapgemm call failed; .status is the wg_status value."""
    status = None
    status_name = None

    def __init__(self, message, function=None):
        super().__init__(message)
        self.function = function


def class_name(status_name):
    """"WG_ERR_KERNEL_UNAVAILABLE" -> "KernelUnavailable"."""
    base = status_name[len("WG_ERR_"):] if status_name.startswith("WG_ERR_") else status_name
    return "".join(part.capitalize() for part in base.split("_"))


_BY_STATUS = {}


def _make(status, status_name, extra=()):
    cls = type(class_name(status_name), (WgError,) + tuple(extra),
               {"status": int(status), "status_name": status_name,
                "__doc__": f"{status_name} ({int(status)})",
                "__module__": __name__})
    _BY_STATUS[int(status)] = cls
    return cls


for _s in Status:
    if _s != Status.OK:
        _name = "WG_ERR_" + _s.name
        _cls = _make(_s, _name, (_BASES[_s],) if _s in _BASES else ())
        globals()[_cls.__name__] = _cls

__all__ = ["WgError", "error_class", "check", "raise_status"] + [
    c.__name__ for c in _BY_STATUS.values()]


def error_class(status):
    """The exception class of a status (made from wg_status_name for a
    status newer than this table)."""
    status = int(status)
    cls = _BY_STATUS.get(status)
    if cls is None:
        name = lib.wg_status_name(status).decode()
        if name == "WG_ERR_?":
            name = f"WG_ERR_STATUS_{status}"
        cls = _make(status, name)
    return cls


def raise_status(status, message, function="python"):
    cls = error_class(status)
    raise cls(f"{cls.status_name}: {message}", function)


def check(status, function):
    """Raises the status's exception unless it is WG_OK."""
    if status != 0:
        cls = error_class(status)
        raise cls(f"{function}: {cls.status_name}", function)
