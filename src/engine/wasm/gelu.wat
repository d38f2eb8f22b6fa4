;; GELU's value x·Φ(x) and derivative Φ(x) + x·φ(x), four float32 lanes at a time, on the
;; memory of tfjs's wasm backend (imported, so the kernel reads and writes tensors in place).
;; The source of the bytes in ../wasm-kernels.ts: after editing, run
;;   node --import tsx experiments/build-wasm.ts
;; (test/engine/wasm-kernels.test.ts checks that the bytes are this file compiled).
;;
;; Per lane, in float32:
;;   a = max(−x²/2, −87)                      (e^−87 is about the smallest normal float)
;;   e = e^a = 2^k · p(r), k = round(a·log2 e), r = a − k·ln2 (ln2 in two parts, Cody–Waite),
;;       p = exp's degree-7 Taylor polynomial on |r| ≤ ln2/2 (relative error < 1e-8)
;;   h = Φ(−|x|) = ½·erfc(|x|/√2) by Abramowitz & Stegun 7.1.26, t = 1/(1 + 0.3275911·|x|/√2),
;;       whose exp(−(x/√2)²) is the same e (absolute error ≤ 1.5e-7 on erfc)
;;   Φ = 1 − h for x ≥ 0, else h;  value = x·Φ;  derivative = Φ + x·e/√(2π)
;; A NaN lane gives NaN in both outputs.
(module
  (import "env" "memory" (memory 0))
  (func (export "gelu") (param $x i32) (param $v i32) (param $d i32) (param $n i32)
    (local $end i32) (local $xi v128) (local $a v128) (local $k v128) (local $r v128)
    (local $p v128) (local $e v128) (local $t v128) (local $h v128) (local $cdf v128)
    ;; end = x + 4·(n rounded down to a multiple of 4); the caller does the last n mod 4
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $xi (v128.load align=4 (local.get $x)))
        ;; a = max(−x²/2, −87)
        (local.set $a (f32x4.max (f32x4.mul (f32x4.mul (local.get $xi) (local.get $xi)) (v128.const f32x4 -0.5 -0.5 -0.5 -0.5)) (v128.const f32x4 -87.0 -87.0 -87.0 -87.0)))
        ;; k = round(a·log2 e); r = a − k·ln2_hi − k·ln2_lo
        (local.set $k (f32x4.nearest (f32x4.mul (local.get $a) (v128.const f32x4 1.4426950408889634 1.4426950408889634 1.4426950408889634 1.4426950408889634))))
        (local.set $r (f32x4.sub (local.get $a) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
        (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $k) (v128.const f32x4 -0.00021219444 -0.00021219444 -0.00021219444 -0.00021219444))))
        ;; p(r) = 1 + r(1 + r(1/2 + r(1/6 + r(1/24 + r(1/120 + r(1/720 + r/5040))))))
        (local.set $p (v128.const f32x4 0.0001984126984126984 0.0001984126984126984 0.0001984126984126984 0.0001984126984126984))
        (local.set $p (f32x4.add (v128.const f32x4 0.001388888888888889 0.001388888888888889 0.001388888888888889 0.001388888888888889) (f32x4.mul (local.get $r) (local.get $p))))
        (local.set $p (f32x4.add (v128.const f32x4 0.008333333333333333 0.008333333333333333 0.008333333333333333 0.008333333333333333) (f32x4.mul (local.get $r) (local.get $p))))
        (local.set $p (f32x4.add (v128.const f32x4 0.041666666666666664 0.041666666666666664 0.041666666666666664 0.041666666666666664) (f32x4.mul (local.get $r) (local.get $p))))
        (local.set $p (f32x4.add (v128.const f32x4 0.16666666666666666 0.16666666666666666 0.16666666666666666 0.16666666666666666) (f32x4.mul (local.get $r) (local.get $p))))
        (local.set $p (f32x4.add (v128.const f32x4 0.5 0.5 0.5 0.5) (f32x4.mul (local.get $r) (local.get $p))))
        (local.set $p (f32x4.add (v128.const f32x4 1.0 1.0 1.0 1.0) (f32x4.mul (local.get $r) (local.get $p))))
        (local.set $p (f32x4.add (v128.const f32x4 1.0 1.0 1.0 1.0) (f32x4.mul (local.get $r) (local.get $p))))
        ;; e = p · 2^k, 2^k built from its exponent bits: (k + 127) << 23
        (local.set $e (f32x4.mul (local.get $p)
          (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
        ;; t = 1 / (1 + 0.3275911/√2 · |x|)
        (local.set $t (f32x4.div (v128.const f32x4 1.0 1.0 1.0 1.0) (f32x4.add (v128.const f32x4 1.0 1.0 1.0 1.0) (f32x4.mul (f32x4.abs (local.get $xi)) (v128.const f32x4 0.2316418882663604 0.2316418882663604 0.2316418882663604 0.2316418882663604)))))
        ;; h = ½ · t(a1 + t(a2 + t(a3 + t(a4 + t·a5)))) · e
        (local.set $h (v128.const f32x4 1.061405429 1.061405429 1.061405429 1.061405429))
        (local.set $h (f32x4.add (v128.const f32x4 -1.453152027 -1.453152027 -1.453152027 -1.453152027) (f32x4.mul (local.get $t) (local.get $h))))
        (local.set $h (f32x4.add (v128.const f32x4 1.421413741 1.421413741 1.421413741 1.421413741) (f32x4.mul (local.get $t) (local.get $h))))
        (local.set $h (f32x4.add (v128.const f32x4 -0.284496736 -0.284496736 -0.284496736 -0.284496736) (f32x4.mul (local.get $t) (local.get $h))))
        (local.set $h (f32x4.add (v128.const f32x4 0.254829592 0.254829592 0.254829592 0.254829592) (f32x4.mul (local.get $t) (local.get $h))))
        (local.set $h (f32x4.mul (f32x4.mul (f32x4.mul (local.get $h) (local.get $t)) (local.get $e)) (v128.const f32x4 0.5 0.5 0.5 0.5)))
        ;; Φ = x ≥ 0 ? 1 − h : h
        (local.set $cdf (v128.bitselect (f32x4.sub (v128.const f32x4 1.0 1.0 1.0 1.0) (local.get $h)) (local.get $h) (f32x4.ge (local.get $xi) (v128.const f32x4 0.0 0.0 0.0 0.0))))
        (v128.store align=4 (local.get $v) (f32x4.mul (local.get $xi) (local.get $cdf)))
        (v128.store align=4 (local.get $d) (f32x4.add (local.get $cdf) (f32x4.mul (f32x4.mul (local.get $xi) (local.get $e)) (v128.const f32x4 0.3989422804014327 0.3989422804014327 0.3989422804014327 0.3989422804014327))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (br $next))))
)
