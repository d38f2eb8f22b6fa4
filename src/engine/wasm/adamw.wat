;; One AdamW update of n float32 parameters, four lanes at a time, on the memory of tfjs's wasm
;; backend (imported), with exactly the float32 operations, in the same order, that
;; src/methods/flat-adamw.ts issues as tfjs kernels (each rounded once: mul, add, div, sqrt):
;;   m' = m·b1 + g·ob1;  v' = v·b2 + (g·g)·ob2
;;   p' = p − ((m'/bc1) / (sqrt(v'/bc2) + eps))·lr,  then p' − p·lrwd when $wd is not 0
;; Only the first n rounded down to a multiple of 4; the caller does the rest.
;; The source of the bytes in ../wasm-kernels.ts: after editing, run
;;   node --import tsx experiments/build-wasm.ts
;; (test/engine/wasm-kernels.test.ts checks that the bytes are this file compiled).
(module
  (import "env" "memory" (memory 0))
  (func (export "adamw")
    (param $m i32) (param $v i32) (param $g i32) (param $p i32) (param $om i32) (param $ov i32) (param $op i32) (param $n i32)
    (param $b1 f32) (param $ob1 f32) (param $b2 f32) (param $ob2 f32) (param $bc1 f32) (param $bc2 f32)
    (param $eps f32) (param $lr f32) (param $lrwd f32) (param $wd i32)
    (local $i i32) (local $end i32)
    (local $B1 v128) (local $OB1 v128) (local $B2 v128) (local $OB2 v128) (local $BC1 v128) (local $BC2 v128)
    (local $EPS v128) (local $LR v128) (local $LRWD v128)
    (local $gg v128) (local $mm v128) (local $vv v128) (local $pp v128) (local $next v128)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $OB1 (f32x4.splat (local.get $ob1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $OB2 (f32x4.splat (local.get $ob2)))
    (local.set $BC1 (f32x4.splat (local.get $bc1)))
    (local.set $BC2 (f32x4.splat (local.get $bc2)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $LR (f32x4.splat (local.get $lr)))
    (local.set $LRWD (f32x4.splat (local.get $lrwd)))
    ;; byte offsets i = 0, 16, … < end = 4·(n rounded down to a multiple of 4)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $next_i
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gg (v128.load align=4 (i32.add (local.get $g) (local.get $i))))
        (local.set $pp (v128.load align=4 (i32.add (local.get $p) (local.get $i))))
        (local.set $mm (f32x4.add
          (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $i))) (local.get $B1))
          (f32x4.mul (local.get $gg) (local.get $OB1))))
        (local.set $vv (f32x4.add
          (f32x4.mul (v128.load align=4 (i32.add (local.get $v) (local.get $i))) (local.get $B2))
          (f32x4.mul (f32x4.mul (local.get $gg) (local.get $gg)) (local.get $OB2))))
        (v128.store align=4 (i32.add (local.get $om) (local.get $i)) (local.get $mm))
        (v128.store align=4 (i32.add (local.get $ov) (local.get $i)) (local.get $vv))
        (local.set $next (f32x4.sub (local.get $pp)
          (f32x4.mul
            (f32x4.div (f32x4.div (local.get $mm) (local.get $BC1))
              (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (local.get $BC2))) (local.get $EPS)))
            (local.get $LR))))
        (if (local.get $wd)
          (then (local.set $next (f32x4.sub (local.get $next) (f32x4.mul (local.get $pp) (local.get $LRWD))))))
        (v128.store align=4 (i32.add (local.get $op) (local.get $i)) (local.get $next))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next_i))))
)
