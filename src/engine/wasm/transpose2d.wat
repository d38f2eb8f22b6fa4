;; 2-D transpose of float32: dst [C, R] = src [R, C]ᵀ, in 4×4 blocks (four 128-bit loads,
;; eight shuffles, four stores), on the memory of tfjs's wasm backend (imported). Only the
;; first R rounded down to a multiple of 4 rows and C rounded down to a multiple of 4 columns;
;; the caller copies the edge. tfjs's own wasm Transpose moves about 3 ns per float on
;; [2400, 64]; this, about 0.3.
;; The source of the bytes in ../wasm-kernels.ts: after editing, run
;;   node --import tsx experiments/build-wasm.ts
;; (test/engine/wasm-kernels.test.ts checks that the bytes are this file compiled).
(module
  (import "env" "memory" (memory 0))
  (func (export "transpose2d") (param $src i32) (param $dst i32) (param $R i32) (param $C i32)
    (local $r i32) (local $c i32) (local $R4 i32) (local $C4 i32) (local $in i32) (local $out i32)
    (local $srow i32) (local $drow i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $R4 (i32.and (local.get $R) (i32.const -4)))
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    ;; srow = one source row in bytes, drow = one destination row in bytes
    (local.set $srow (i32.shl (local.get $C) (i32.const 2)))
    (local.set $drow (i32.shl (local.get $R) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $rdone
      (loop $rnext
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $R4)))
        (local.set $c (i32.const 0))
        (block $cdone
          (loop $cnext
            (br_if $cdone (i32.ge_u (local.get $c) (local.get $C4)))
            ;; in = src + 4·(r·C + c), out = dst + 4·(c·R + r)
            (local.set $in (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $C)) (local.get $c)) (i32.const 2))))
            (local.set $out (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $R)) (local.get $r)) (i32.const 2))))
            (local.set $a0 (v128.load align=4 (local.get $in)))
            (local.set $a1 (v128.load align=4 (i32.add (local.get $in) (local.get $srow))))
            (local.set $a2 (v128.load align=4 (i32.add (local.get $in) (i32.shl (local.get $srow) (i32.const 1)))))
            (local.set $a3 (v128.load align=4 (i32.add (local.get $in) (i32.mul (local.get $srow) (i32.const 3)))))
            ;; t0 = (a00 a10 a01 a11), t1 = (a02 a12 a03 a13), t2 = (a20 a30 a21 a31), t3 = (a22 a32 a23 a33)
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3)))
            ;; column j of the block = (a0j a1j a2j a3j)
            (v128.store align=4 (local.get $out) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (v128.store align=4 (i32.add (local.get $out) (local.get $drow)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (v128.store align=4 (i32.add (local.get $out) (i32.shl (local.get $drow) (i32.const 1))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (v128.store align=4 (i32.add (local.get $out) (i32.mul (local.get $drow) (i32.const 3))) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $cnext)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rnext))))
)
