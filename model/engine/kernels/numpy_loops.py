"""numpy's own ufunc loops, called from compiled code: its transcendentals, bit for bit.

numpy picks each transcendental's machine code for the processor at run time (its SIMD ``exp``
on one CPU, the C library's on another: :mod:`model.engine.numerics`), so numba's ``math.exp``
gives other last bits, and a kernel that needed an ``exp`` had to stop, hand its array back to
Python for ``np.exp``, and start a second kernel after it: one more pass over memory and one more
call. Here a kernel calls the very loop ``np.exp`` runs — found through numpy's interface for
compiled callers (``ufunc._resolve_dtypes_and_context`` and ``ufunc._get_strided_loop``, NumPy
≥ 1.24, "intended for numba and similar users") — on a chunk of its own buffer, so a fused pass
takes the ``exp`` of each chunk while the chunk is in cache and gets numpy's numbers.

They are numpy's numbers only if numpy's loop gives an element the same bits wherever it lies in
the array it is handed (the SIMD body and the ragged ends alike):
``tests/test_numpy_exp_lanes.py`` checks that on every machine the suite runs on, and
``tests/test_numpy_loops.py`` that a chunked call equals ``np.exp`` of the whole array.

The loop's address and its context are this process's (found at import, never cached in a
kernel's machine code: kernels take them as an argument, so ``cache=True`` stays valid), and
stay valid while the process lives: each loop's capsule, which owns the context and the data the
addresses point into, is kept here for good (a freed one would be handed to the next loop numpy
builds, and an old address would then run that loop). The
loop may set the processor's floating-point flags (an underflow to 0); numpy clears them before
each ufunc it runs, so nothing reads them, and no warning is raised where ``np.exp`` would warn.
"""

from __future__ import annotations

import ctypes

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

__all__ = ["EXP32", "EXP64", "NumpyLoop", "apply_inplace"]

#: The capsule name of the call information numpy fills in (the layout below is this version's).
_CAPSULE = b"numpy_1.24_ufunc_call_info"
#: Every capsule a :class:`NumpyLoop` was made from, never freed (see the module's docstring).
_KEPT: list = []


class _CallInfo(ctypes.Structure):
    """numpy's ``ufunc_call_info`` (``ufunc._get_strided_loop``'s documented layout)."""

    _fields_ = [
        ("strided_loop", ctypes.c_void_p),
        ("context", ctypes.c_void_p),
        ("auxdata", ctypes.c_void_p),
        ("requires_pyapi", ctypes.c_ubyte),
        ("no_floatingpoint_errors", ctypes.c_ubyte),
    ]


_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_capsule_name = ctypes.pythonapi.PyCapsule_GetName
_capsule_name.restype = ctypes.c_char_p
_capsule_name.argtypes = [ctypes.py_object]


class NumpyLoop:
    """A unary ufunc's contiguous strided loop for one dtype, ready to call from a kernel.

    Parameters
    ----------
    ufunc : numpy.ufunc
        A unary ufunc (one input, one output), e.g. ``np.exp``.
    dtype : dtype-like
        The dtype of both input and output.

    Attributes
    ----------
    address : ndarray of intp, (4,)
        The loop's function, its context, its auxiliary data and the dtype's item size in bytes:
        what :func:`apply_inplace` takes. Valid for the life of the process.
    """

    def __init__(self, ufunc: np.ufunc, dtype: np.typing.DTypeLike) -> None:
        if ufunc.nin != 1 or ufunc.nout != 1:
            raise ValueError(
                f"ufunc: {ufunc.__name__} is not unary; allowed: one input, one output"
            )
        dt = np.dtype(dtype)
        try:
            resolved, capsule = ufunc._resolve_dtypes_and_context((dt, dt))
        except TypeError:  # (numpy's UFuncTypeError: no loop, or none without a cast)
            resolved = None
        except AttributeError as e:  # a numpy without the interface for compiled callers
            raise RuntimeError(_UNKNOWN.format(np.__version__, "no ufunc._get_strided_loop")) from e
        if resolved != (dt, dt):
            raise ValueError(f"dtype: {ufunc.__name__} has no {dt} loop; allowed: its own dtypes")
        ufunc._get_strided_loop(capsule, fixed_strides=(dt.itemsize, dt.itemsize))
        name = _capsule_name(capsule)
        if name != _CAPSULE:  # a numpy whose layout this module does not know
            raise RuntimeError(_UNKNOWN.format(np.__version__, f"a {name!r} capsule"))
        info = _CallInfo.from_address(_capsule_pointer(capsule, name))
        if info.requires_pyapi:  # (kernels run without the GIL)
            raise RuntimeError(f"numpy's {ufunc.__name__} loop for {dt} needs the Python API")
        _KEPT.append(capsule)  # owns the context and auxiliary data the addresses point into
        self.address = np.array(
            [info.strided_loop, info.context, info.auxdata or 0, dt.itemsize], np.intp
        )
        self.address.flags.writeable = False


_UNKNOWN = (
    "numpy {} has {}; model.engine.kernels.numpy_loops reads the call information of "
    f"{_CAPSULE.decode()!r} (numpy 1.24 to 2.x)"
)


@intrinsic
def _call_strided_loop(typingctx, function, context, data, dimensions, strides, auxdata):
    """``function(context, data, dimensions, strides, auxdata)``, all addresses as integers
    (numpy's ``PyArrayMethod_StridedLoop``); returns its status (0: done)."""
    sig = types.int32(function, context, data, dimensions, strides, auxdata)

    def codegen(context_, builder, signature, args):  # type: ignore[no-untyped-def]
        pointer = ir.IntType(8).as_pointer()
        loop_type = ir.FunctionType(ir.IntType(32), [pointer] * 5)
        loop = builder.inttoptr(args[0], loop_type.as_pointer())
        return builder.call(loop, [builder.inttoptr(a, pointer) for a in args[1:]])

    return sig, codegen


@njit(cache=True, nogil=True)
def apply_inplace(
    loop: np.ndarray, x: np.ndarray, lo: int, hi: int, frame: np.ndarray
) -> int:  # pragma: no cover - compiled
    """``x[lo:hi] = ufunc(x[lo:hi])`` with numpy's loop (:attr:`NumpyLoop.address`).

    Parameters
    ----------
    loop : ndarray of intp, (4,)
        :attr:`NumpyLoop.address` of a loop for ``x``'s dtype.
    x : ndarray
        1-d, its elements adjacent; written in place (as ``np.exp(x, out=x)`` does).
    lo, hi : int
        The elements, ``0 ≤ lo ≤ hi ≤ x.size``.
    frame : ndarray of intp, (5,)
        Scratch for the loop's arguments (the caller allocates it once, not per chunk).

    Returns
    -------
    int
        numpy's status: 0 when the loop ran (the callers raise on any other).

    Raises
    ------
    ValueError
        ``x``'s item size is not the loop's, its elements are not adjacent, or the bounds are
        outside it (a loop run on them would read and write other memory).
    """
    if x.itemsize != loop[3] or (x.size > 1 and x.strides[0] != x.itemsize):
        raise ValueError(
            "apply_inplace: x is not an array of adjacent elements of the loop's dtype"
        )
    if lo < 0 or hi > x.size:
        raise ValueError("apply_inplace: lo..hi is outside x")
    if hi <= lo:
        return 0
    at = x.ctypes.data + lo * x.itemsize
    frame[0] = at  # input
    frame[1] = at  # output (in place)
    frame[2] = hi - lo  # the length
    frame[3] = x.itemsize  # input stride (bytes)
    frame[4] = x.itemsize  # output stride
    base, step = frame.ctypes.data, frame.itemsize
    return _call_strided_loop(loop[0], loop[1], base, base + 2 * step, base + 3 * step, loop[2])


#: numpy's float32 ``exp`` (the churn hazards).
EXP32 = NumpyLoop(np.exp, np.float32)
#: numpy's float64 ``exp`` (the fix costs).
EXP64 = NumpyLoop(np.exp, np.float64)
