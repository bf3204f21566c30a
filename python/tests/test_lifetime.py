"""Handles: freed by close(), `with` and garbage collection; a handle
closed while C uses it is freed after the call; Python threads and a
Python parallel-for runner."""
import concurrent.futures
import gc
import threading
import unittest
import weakref

import numpy as np

from . import oracle
from .common import rng, weight_codes, wg
from .test_gemm import assert_bits_equal


class TestLifetime(unittest.TestCase):
    def setUp(self):
        r = rng(600)
        self.codes = weight_codes(r, 9, 50, wg.WeightFormat.TERNARY)
        self.x = r.integers(0, 256, (50, 70), dtype=np.uint8)
        self.want = oracle.gemm(self.codes, self.x, 0, wg.Epilogue())

    def test_close_and_with(self):
        ctx = wg.Context(threads=1)
        with ctx.pack(self.codes) as w:
            self.assertFalse(w.closed)
        self.assertTrue(w.closed)
        self.assertIsNone(w._h._ptr)
        with self.assertRaises(ValueError):
            ctx.gemm(w, self.x)
        w.close()                                   # twice is fine
        ctx.close()
        with self.assertRaises(ValueError):
            ctx.pack(self.codes)
        with self.assertRaises(ValueError):
            ctx.threads
        self.assertIn("closed", repr(ctx))

    def test_garbage_collection_frees(self):
        freed = []
        ctx = wg.Context(threads=1)
        w = ctx.pack(self.codes)
        for obj in (w, ctx):
            h = obj._h
            real = h._destroy
            h._destroy = lambda p, real=real, name=type(obj).__name__: (freed.append(name), real(p))
        ref = weakref.ref(w)
        del w, obj, h
        gc.collect()
        self.assertIsNone(ref())
        self.assertEqual(freed, ["Weights"])
        del ctx
        gc.collect()
        self.assertEqual(freed, ["Weights", "Context"])

    def test_weights_outlive_their_context(self):
        """Packed weights do not depend on the context that packed them."""
        with wg.Context(threads=1) as c1:
            w = c1.pack(self.codes)
        with wg.Context(threads=2) as c2, w:
            y, _ = c2.gemm(w, self.x)
        assert_bits_equal(self, y, self.want, "other context")

    def test_close_during_call_is_deferred(self):
        """A runner that closes the weights and the context in the middle of
        a call: the call completes, the handles are freed after it."""
        ctx = wg.Context(threads=1)
        w = ctx.pack(self.codes)
        freed = []
        for h in (w._h, ctx._h):
            real = h._destroy
            h._destroy = lambda p, real=real: (freed.append(p), real(p))

        def runner(run, count):
            w.close()
            ctx.close()
            self.assertEqual(freed, [])   # still in use: nothing freed yet
            for i in range(count):
                run(i)

        ctx.set_parallel_for(runner, 2)
        y, _ = ctx.gemm(w, self.x)
        assert_bits_equal(self, y, self.want, "closed during the call")
        self.assertEqual(len(freed), 2)
        self.assertTrue(w.closed and ctx.closed)

    def test_python_threads_share_a_context(self):
        with wg.Context(threads=2) as ctx, ctx.pack(self.codes) as w:
            def work(_):
                return ctx.gemm(w, self.x)[0]
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                ys = list(pool.map(work, range(16)))
        for y in ys:
            assert_bits_equal(self, y, self.want, "threaded")


class TestParallelFor(unittest.TestCase):
    def setUp(self):
        r = rng(610)
        self.codes = weight_codes(r, 40, 90, wg.WeightFormat.INT, 5)
        self.x = r.integers(0, 128, (90, 300), dtype=np.uint8)
        self.ep = wg.Epilogue(acc_bits=12, cyclic="smooth", slope=3, output="int16")
        self.want = oracle.gemm(self.codes, self.x, 0, self.ep)

    def test_pool_runner(self):
        seen = []
        lock = threading.Lock()
        with concurrent.futures.ThreadPoolExecutor(3) as pool, wg.Context(threads=1) as ctx, \
                ctx.pack(self.codes, "int", 5) as w:
            def runner(run, count):
                with lock:
                    seen.append(count)
                list(pool.map(run, range(count)))
            ctx.set_parallel_for(runner, 3)
            y, _ = ctx.gemm(w, self.x, act_bits=7, epilogue=self.ep)
            ctx.set_parallel_for(None)
            y2, _ = ctx.gemm(w, self.x, act_bits=7, epilogue=self.ep)
            n_seen = len(seen)
            with self.assertRaises(wg.BadOption):
                ctx.set_parallel_for(runner, 0)
        assert_bits_equal(self, y, self.want, "pool runner")
        assert_bits_equal(self, y2, self.want, "own pool again")
        self.assertGreater(n_seen, 0)
        self.assertEqual(len(seen), n_seen)       # None restored the library's pool

    def test_failing_runners(self):
        """A runner that raises or skips tasks: the missing tasks still run
        (the output is complete), then the call raises."""
        class Boom(Exception):
            pass

        def raising(run, count):
            run(0)
            raise Boom("runner failed")

        def skipping(run, count):
            for i in range(0, count, 2):
                run(i)

        def twice(run, count):
            for i in range(count):
                run(i)
            run(0)

        for runner, exc in ((raising, Boom), (skipping, RuntimeError), (twice, ValueError)):
            with wg.Context(threads=1) as ctx, ctx.pack(self.codes, "int", 5) as w:
                ctx.set_parallel_for(runner, 2)
                out = np.zeros_like(self.want)
                with self.assertRaises(exc):
                    ctx.gemm(w, self.x, act_bits=7, epilogue=self.ep, out=out)
                assert_bits_equal(self, out, self.want, runner.__name__)
                # the error was reported once: the next call succeeds or fails anew
                ctx.set_parallel_for(lambda run, n: [run(i) for i in range(n)], 2)
                y, _ = ctx.gemm(w, self.x, act_bits=7, epilogue=self.ep)
                assert_bits_equal(self, y, self.want, "after " + runner.__name__)


if __name__ == "__main__":
    unittest.main()
