"""Give memory back to the system once a big net is gone (File ▸ Open of another net).

Freed numpy arrays above glibc's mmap threshold go back at once, but the smaller blocks of a big
net's life (a 2 MB file's half a million parsed numbers, the training thread's own malloc arena)
stay in the process as free heap unless it is trimmed. `give_back()` collects cycles, then asks
glibc to return free pages (malloc_trim); elsewhere it only collects.
"""

from __future__ import annotations

import gc
import sys


def give_back() -> None:
    gc.collect()
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):      # not glibc (musl): nothing to trim with
        pass
