;; The gradient of max-pooling time by 2 (kernel 2, stride 2, 'valid') of z [B, T, C]:
;; dy [B, floor(T/2), C] goes to the larger of each pair of timesteps, to the first on ties
;; (as tf.maximum's gradient), and the last timestep of an odd T gets 0. Four float32 lanes at
;; a time (C must be a multiple of 4), on the memory of tfjs's wasm backend (imported).
;; The source of the bytes in ../wasm-kernels.ts: after editing, run
;;   node --import tsx experiments/build-wasm.ts
;; (test/engine/wasm-kernels.test.ts checks that the bytes are this file compiled).
;; A pair with a NaN sends 0 to both (as ≥ and < are both false there).
(module
  (import "env" "memory" (memory 0))
  (func (export "maxpool2_grad") (param $z i32) (param $dy i32) (param $dz i32) (param $B i32) (param $T i32) (param $C i32)
    (local $row i32) (local $half i32) (local $b i32) (local $t i32) (local $c i32)
    (local $e v128) (local $o v128) (local $g v128) (local $first v128)
    ;; row = 4·C bytes (one timestep), half = floor(T/2)
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    (local.set $half (i32.shr_u (local.get $T) (i32.const 1)))
    (local.set $b (i32.const 0))
    (block $bdone
      (loop $bnext
        (br_if $bdone (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $t (i32.const 0))
        (block $tdone
          (loop $tnext
            (br_if $tdone (i32.ge_u (local.get $t) (local.get $half)))
            ;; z and dz point at the pair's first timestep, dy at its pooled row
            (local.set $c (i32.const 0))
            (block $cdone
              (loop $cnext
                (br_if $cdone (i32.ge_u (local.get $c) (local.get $row)))
                (local.set $e (v128.load align=4 (i32.add (local.get $z) (local.get $c))))
                (local.set $o (v128.load align=4 (i32.add (i32.add (local.get $z) (local.get $row)) (local.get $c))))
                (local.set $g (v128.load align=4 (i32.add (local.get $dy) (local.get $c))))
                (local.set $first (f32x4.ge (local.get $e) (local.get $o)))
                (v128.store align=4 (i32.add (local.get $dz) (local.get $c)) (v128.and (local.get $g) (local.get $first)))
                (v128.store align=4 (i32.add (i32.add (local.get $dz) (local.get $row)) (local.get $c))
                  (v128.and (local.get $g) (f32x4.lt (local.get $e) (local.get $o))))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $cnext)))
            (local.set $z (i32.add (local.get $z) (i32.shl (local.get $row) (i32.const 1))))
            (local.set $dz (i32.add (local.get $dz) (i32.shl (local.get $row) (i32.const 1))))
            (local.set $dy (i32.add (local.get $dy) (local.get $row)))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $tnext)))
        ;; an odd T: the last timestep gets 0
        (if (i32.and (local.get $T) (i32.const 1))
          (then
            (memory.fill (local.get $dz) (i32.const 0) (local.get $row))
            (local.set $z (i32.add (local.get $z) (local.get $row)))
            (local.set $dz (i32.add (local.get $dz) (local.get $row)))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bnext))))
)
