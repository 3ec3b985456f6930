"""Asking for memory before it is read: a software prefetch for compiled loops.

A loop that reads rows scattered over a large array (the speakers' edges in a market of 10⁶)
takes a cache miss per row, and when each row's length decides a branch, the processor cannot
run ahead to the next row's miss: they follow one another. Asking for a row some iterations
before it is read lets the misses overlap. numba has no prefetch of its own; LLVM's
``llvm.prefetch`` intrinsic is a hint that changes no value, so a kernel's numbers are the same
with or without it.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["prefetch"]


@intrinsic
def prefetch(typingctx, array, index):  # pragma: no cover - compiled
    """Ask for the cache line holding ``array[index]`` (a read, kept in every cache level) of a
    C-contiguous ``array`` (another layout is a typing error).

    A hint: it reads nothing and never faults, so an ``index`` one past the end (an empty last
    row's start) is harmless. Returns nothing.
    """
    # Contiguous arrays only: the address is the data pointer plus the index, strides ignored.
    if not (isinstance(array, types.Array) and array.layout == "C") or not isinstance(
        index, types.Integer
    ):
        return None
    sig = types.void(array, index)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        address = builder.gep(ary.data, [args[1]])
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [i8p], fnty)
        # (address, read = 0, locality = 3: keep in every level, data cache = 1)
        builder.call(
            fn,
            [builder.bitcast(address, i8p), ir.Constant(i32, 0), ir.Constant(i32, 3),
             ir.Constant(i32, 1)],
        )  # fmt: skip
        return context.get_dummy_value()

    return sig, codegen
