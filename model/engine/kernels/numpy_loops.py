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
kernel's machine code: kernels take them as an argument, so ``cache=True`` stays valid). The
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
    address : ndarray of intp, (3,)
        The loop's function, its context and its auxiliary data: what :func:`apply_inplace`
        takes. Valid while this object lives (it owns numpy's capsule).
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
        if resolved != (dt, dt):
            raise ValueError(f"dtype: {ufunc.__name__} has no {dt} loop; allowed: its own dtypes")
        ufunc._get_strided_loop(capsule, fixed_strides=(dt.itemsize, dt.itemsize))
        name = _capsule_name(capsule)
        if name != _CAPSULE:  # a numpy whose layout this module does not know
            raise RuntimeError(
                f"numpy {np.__version__} returned a {name!r} capsule; this module reads "
                f"{_CAPSULE!r} (numpy 1.24–2.x)"
            )
        info = _CallInfo.from_address(_capsule_pointer(capsule, name))
        if info.requires_pyapi:  # (kernels run without the GIL)
            raise RuntimeError(f"numpy's {ufunc.__name__} loop for {dt} needs the Python API")
        self._capsule = capsule  # owns the context and auxiliary data the addresses point into
        self.itemsize = dt.itemsize
        self.address = np.array([info.strided_loop, info.context, info.auxdata or 0], np.intp)
        self.address.flags.writeable = False


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
    loop : ndarray of intp, (3,)
        :attr:`NumpyLoop.address` of a loop for ``x``'s dtype.
    x : ndarray
        Contiguous, 1-d; written in place (as ``np.exp(x, out=x)`` does).
    lo, hi : int
        The elements, ``0 ≤ lo ≤ hi ≤ x.size`` (not checked: the caller's loop bounds).
    frame : ndarray of intp, (5,)
        Scratch for the loop's arguments (the caller allocates it once, not per chunk).

    Returns
    -------
    int
        numpy's status: 0 when the loop ran.
    """
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
